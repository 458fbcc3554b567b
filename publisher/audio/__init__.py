"""Audio stage: an MP3 or M4A file -> :class:`~publisher.model.AudioInfo`.

``reader`` holds the only mutagen import; ``mp3frames`` and ``mp4boxes`` walk MPEG frames and
MP4 boxes where a file's own headers can lie.
"""

from publisher.audio.reader import read_audio

__all__ = ["read_audio"]
