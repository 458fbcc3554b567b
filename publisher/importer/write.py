"""The imported show's text files: feed_config.yaml and the notes (rendering is pure; writing
is :func:`write_text`, which never writes outside the show folder).

YAML is written by hand, one key a line with every text value quoted where YAML needs it, so
the files read like the ones a producer writes, with comments where a value needs their eye.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from publisher.config.yamldoc import dump_scalar
from publisher.errors import PublisherError
from publisher.importer.model import NotePlan, RemoteEnclosure

_REMOTE_COMMENT = "# The old host's file, published as given until its audio is in episodes/."
PREVIEW_TARGET = {"location": "public/", "public_url": "http://127.0.0.1:8000/"}


def config_text(config: Sequence[tuple[str, Any]], source: str) -> str:
    """feed_config.yaml for an imported show; ``source`` is named in its first comment."""
    lines = [
        f"# Imported from {_comment(source)} by 'publisher import'.",
        "# Every key is documented in README.md; the import's summary lists what was mapped.",
    ]
    for key, value in config:
        if key == "podcast_guid":
            lines.append(
                "# The show's identity (podcast:guid): never change it, even when it moves."
            )
        if key == "enclosure_prefix":
            lines.append("# The old host's measurement prefix; docs/moving.md explains it.")
        lines.extend(_entry(key, value))
    lines += [
        "default_target: local",
        "# A local preview; add the target you publish to (README: Publishing to object storage).",
        "targets:",
        "  local:",
        f"    location: {PREVIEW_TARGET['location']}",
        f"    public_url: {PREVIEW_TARGET['public_url']}",
    ]
    return "\n".join(lines) + "\n"


def note_text(
    note: NotePlan, remote: RemoteEnclosure | None = None, duration: int | None = None
) -> str:
    """The note for ``note``; with ``remote``, its enclosure and duration as the feed gave them."""
    lines = ["---"]
    for key, value in note.fields:
        lines.extend(_entry(key, value))
    if remote is not None:
        lines.append(_REMOTE_COMMENT)
        lines.append("enclosure:")
        lines.append(f"  url: {dump_scalar(remote.url)}")
        lines.append(f"  length: {remote.length}")
        lines.append(f"  type: {remote.type}")
        if duration is not None:
            lines.append(f"duration: {duration}")
    lines.append("---")
    body = note.body.strip()
    return "\n".join(lines) + "\n" + (body + "\n" if body else "")


def drop_remote(text: str) -> str:
    """A note's text without the enclosure and duration :func:`note_text` wrote into it."""
    lines = text.split("\n")
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), len(lines))
    kept: list[str] = []
    skipping = False
    for i, line in enumerate(lines):
        if 0 < i < end:
            if line.startswith(_REMOTE_COMMENT) or line.startswith(("enclosure:", "duration:")):
                skipping = line.startswith("enclosure:")
                continue
            if skipping and line.startswith((" ", "\t")):
                continue
            skipping = False
        kept.append(line)
    return "\n".join(kept)


def write_text(root: Path, relative: str, text: str) -> Path:
    """Write ``text`` to ``root/relative``; refuses a path that leaves ``root``."""
    dest = (root / relative).resolve()
    if not dest.is_relative_to(root.resolve()):
        raise PublisherError(f"refusing to write {relative!r}: it lies outside {root}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(text, encoding="utf-8", newline="\n")
    return dest


def _entry(key: str, value: Any) -> list[str]:
    if isinstance(value, dict):
        return [f"{key}:"] + [f"  {k}: {_scalar(v)}" for k, v in value.items()]
    if isinstance(value, list):
        if not value:
            return [f"{key}: []"]
        lines = [f"{key}:"]
        for item in value:
            if isinstance(item, dict):
                pairs = [f"{k}: {_scalar(v)}" for k, v in item.items()]
                lines += ["  - " + pairs[0]] + ["    " + p for p in pairs[1:]]
            else:
                lines.append(f"  - {_scalar(item)}")
        return lines
    return [f"{key}: {_scalar(value)}"]


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if "\n" in text or "\r" in text:
        text = " ".join(text.split())  # one line: a summary's paragraphs become one
    return dump_scalar(text)


def _comment(text: str) -> str:
    return " ".join(text.split())
