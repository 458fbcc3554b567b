"""Transcripts for listeners: cues read from WebVTT (webvtt-py), SRT (srt), Podcasting 2.0
JSON or plain text, grouped into speaker turns for a readable page, and a WebVTT rendition
for the player's ``<track kind="captions">`` (an SRT transcript is converted).

Cue text is untrusted: it is returned as plain text (tags such as ``<v Speaker>`` read by the
parser, anything else stripped) and escaped by the templates.
"""

from __future__ import annotations

import html
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import srt
import webvtt

from publisher.errors import EpisodeError


@dataclass(frozen=True)
class Cue:
    start: float  # seconds
    end: float
    text: str  # plain text, one line per line of the cue
    speaker: str | None = None


@dataclass(frozen=True)
class Turn:
    """Consecutive cues of one speaker, shown as one paragraph."""

    start: float
    speaker: str | None
    text: str


_TAG = re.compile(r"<[^>]*>")
_SPEAKER_PREFIX = re.compile(r"^([A-Z][\w .'-]{0,40}):\s+(.*)$", re.S)


def read_cues(path: Path) -> tuple[Cue, ...]:
    """The cues of a ``.vtt``, ``.srt``, ``.transcript.json`` or ``.txt`` transcript.

    A ``.txt`` transcript has no times: each paragraph is one cue at 0 s.
    Raises EpisodeError naming the file when it cannot be read as its kind.
    """
    text = path.read_text(encoding="utf-8-sig")
    name = path.name.lower()
    try:
        if name.endswith(".vtt"):
            return _vtt(text)
        if name.endswith(".srt"):
            return _srt(text)
        if name.endswith(".json"):
            return _json(text)
    except (ValueError, KeyError, TypeError, srt.SRTParseError) as e:
        raise EpisodeError(f"transcript cannot be read: {e}", path, None) from e
    except Exception as e:  # webvtt-py raises its own MalformedFileError and others
        raise EpisodeError(f"transcript cannot be read: {e}", path, None) from e
    return tuple(
        Cue(0.0, 0.0, " ".join(p.split())) for p in re.split(r"\n\s*\n", text) if p.strip()
    )


def _speaker(text: str, voice: str | None) -> tuple[str | None, str]:
    plain = html.unescape(_TAG.sub("", text)).strip()
    if voice:
        return _TAG.sub("", voice).strip() or None, plain
    found = _SPEAKER_PREFIX.match(plain)
    if found:  # "DR LEE: text", as many SRT and VTT exports write a speaker
        return found.group(1).strip(), found.group(2).strip()
    return None, plain


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    total = 0.0
    for part in parts:
        total = total * 60 + float(part)
    return total


def _vtt(text: str) -> tuple[Cue, ...]:
    cues = []
    for caption in webvtt.from_buffer(io.StringIO(text)).captions:
        speaker, body = _speaker(caption.raw_text, getattr(caption, "voice", None))
        cues.append(Cue(_seconds(caption.start), _seconds(caption.end), body, speaker))
    return tuple(cues)


def _srt(text: str) -> tuple[Cue, ...]:
    cues = []
    for sub in srt.parse(text):
        speaker, body = _speaker(sub.content, None)
        cues.append(Cue(sub.start.total_seconds(), sub.end.total_seconds(), body, speaker))
    return tuple(cues)


def _json(text: str) -> tuple[Cue, ...]:
    data = json.loads(text)
    cues = []
    for seg in data["segments"]:
        start = float(seg.get("startTime", 0))
        end = float(seg.get("endTime", start))
        speaker = seg.get("speaker")
        cues.append(
            Cue(
                start,
                end,
                _TAG.sub("", str(seg.get("body", ""))).strip(),
                str(speaker) if speaker else None,
            )  # fmt: skip
        )
    return tuple(cues)


def turns(cues: tuple[Cue, ...]) -> tuple[Turn, ...]:
    """Cues joined into speaker turns (a new turn when the speaker changes)."""
    out: list[Turn] = []
    for cue in cues:
        if not cue.text:
            continue
        if out and (cue.speaker is None or cue.speaker == out[-1].speaker):
            last = out[-1]
            out[-1] = Turn(last.start, last.speaker, last.text + " " + " ".join(cue.text.split()))
        else:
            out.append(Turn(cue.start, cue.speaker, " ".join(cue.text.split())))
    return tuple(out)


def _stamp(seconds: float) -> str:
    ms = int(round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def to_vtt(cues: tuple[Cue, ...]) -> bytes:
    """A WebVTT file of ``cues`` for ``<track kind="captions">`` (speakers as ``<v>`` tags)."""
    lines = ["WEBVTT", ""]
    for cue in cues:
        if cue.end <= cue.start or not cue.text:
            continue
        text = cue.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = re.sub(r"-->", "--&gt;", text)
        if cue.speaker:
            speaker = re.sub(r"[<>&\n]", "", cue.speaker)
            text = f"<v {speaker}>{text}"
        text = "\n".join(line for line in text.splitlines() if line.strip())
        lines += [f"{_stamp(cue.start)} --> {_stamp(cue.end)}", text, ""]
    return "\n".join(lines).encode("utf-8")
