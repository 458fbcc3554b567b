"""Audio stage: an MP3 or M4A file -> :class:`~publisher.model.AudioInfo`.

``reader`` holds the only mutagen import; ``mp3frames``, ``mp3tags`` and ``mp4boxes`` walk MPEG
frames, the tags around them and MP4 boxes (through ``window``, a bounded view of the file)
where a file's own headers can lie; ``formats`` names file kinds; ``tagtext`` cleans tag text.
"""

from publisher.audio.reader import read_audio

__all__ = ["read_audio"]
