"""Seeded mutations of a producer's inputs, and a small show to run them through ``check``.

Every mutation is a pure function of its ``random.Random``: a failing case is named by its
input and case number and reproduces exactly.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

from PIL import Image

from tests.support.paths import DATA, ROOT

# What a text editor, a copy-paste or a hostile tool puts where it does not belong.
ODD = (
    "[", "]", "[x", "]0", "{", "}", "%", "%zz", ":", "@", "#", "\n", "\r", "\t", "'", '"',
    "- ", "* ", "& ", "|", ">", "!", "`", "\\", "\x00", "\x7f", "\u202e", "\ufeff", "\u2028",
    "é", "😀", "---\n", ": x", "{{", "!!python/object:os.system", "&a ", "*a", "? ", "0x",
    "-1", "99999999999999999999", "1e999", "nan", "http://[x/", "https://h:99999/", "//",
)  # fmt: skip


def break_url(rng: random.Random, text: str, start: int = 0, end: int | None = None) -> str:
    """A ``[`` or ``]`` put into the host of a URL in ``text[start:end]`` (a slip that made
    urllib raise "Invalid IPv6 URL"); ``text`` unchanged when it holds no URL there."""
    end = len(text) if end is None else end
    found = [m.end() for m in re.finditer("://", text[start:end])]
    if not found:
        return text
    at = start + rng.choice(found) + rng.randrange(0, 6)
    return text[:at] + rng.choice(("[", "]", "[x", "]0")) + text[at:]


def mutate_text(
    rng: random.Random, text: str, start: int = 0, end: int | None = None, op: int | None = None
) -> str:
    """One edit of ``text`` within ``[start, end)``: a character replaced by an odd one,
    odd text inserted, a cut (the rest lost), a line doubled or dropped, a bracket in a URL's
    host (``op`` 0-5 picks one; None: at random)."""
    end = len(text) if end is None else end
    at = rng.randrange(start, max(start + 1, end))
    op = rng.randrange(6) if op is None else op
    if op == 5:
        return break_url(rng, text, start, end)
    if op == 0:
        return text[:at] + rng.choice(ODD) + text[at + 1 :]
    if op == 1:
        return text[:at] + rng.choice(ODD) + text[at:]
    if op == 2:
        return text[:at]
    lines = text.splitlines(keepends=True)
    first = text[:start].count("\n")
    last = max(first, text[:end].count("\n") - 1)
    i = rng.randint(first, min(last, len(lines) - 1)) if lines else 0
    if op == 3 and lines:
        return "".join(lines[: i + 1] + lines[i:])
    return "".join(lines[:i] + lines[i + 1 :])


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    """One edit of ``data``: bytes flipped, a cut, odd bytes inserted, or a run zeroed."""
    op = rng.randrange(4)
    at = rng.randrange(len(data))
    if op == 0:
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            i = (
                rng.randrange(len(out))
                if rng.random() < 0.5
                else rng.randrange(min(4096, len(out)))
            )
            out[i] ^= 1 << rng.randrange(8)
        return bytes(out)
    if op == 1:
        return data[: rng.choice((0, 1, 4, 10, 64, 200, at))]
    if op == 2:
        odd = rng.choice(ODD).encode() if rng.random() < 0.5 else rng.randbytes(rng.randint(1, 16))
        return data[:at] + odd + data[at:]
    return data[:at] + bytes(min(64, len(data) - at)) + data[at + 64 :]


NOTE = """---
title: {title}
date: {date}
guid: {guid}
persons:
  - name: Ana Lee
    role: guest
    href: https://example.org/ana
    img: https://example.org/ana.jpg
---
A short note citing a source.[@{key}] See [the guideline](https://example.org/g?a=1#x).

## Notes

- a list item with *emphasis*[^1]

[^1]: A footnote.
"""

BIBLIOGRAPHIES = {"bib": "brinjikji2015", "json": "testbook", "yaml": "nice2016"}
EPISODES = {
    "2026-09-01-imaging-without-pain": ("mp3", "2026-09-01", "0c6f3b8e-5d1a-4f7e-9b2a-6a1d3c8e4f01"),
    "2026-09-15-red-flags": ("m4a", "2026-09-15", "5b2e9d47-8c3f-4a6b-b1d0-2f7e8a9c3d12"),
}  # fmt: skip


def small_show(dest: Path, bibliography: str = "bib") -> Path:
    """Two episodes (MP3 and M4A), a one-file bibliography of ``bibliography``'s format, and
    the sample show's config with persons, funding and a new feed URL: every kind of input
    ``check`` reads, small enough to check many times a second."""
    (dest / "episodes").mkdir(parents=True)
    (dest / "show_notes").mkdir()
    # the smallest artwork allowed (1400 px): its renditions are most of a check's time
    Image.open(ROOT / "artwork.jpg").convert("RGB").resize((1400, 1400)).save(
        dest / "artwork.jpg", quality=80
    )
    shutil.copy2(
        DATA / "notes" / f"entries.{bibliography}", dest / "show_notes" / f"refs.{bibliography}"
    )
    config = (ROOT / "feed_config.yaml").read_text(encoding="utf-8")
    config = config.replace("show_notes/references.bib", f"show_notes/refs.{bibliography}")
    config += (
        "persons:\n  - name: Sam Host\n    href: https://example.org/sam\n"
        "funding:\n  url: https://example.org/support\n  label: Support the show\n"
    )
    (dest / "feed_config.yaml").write_text(config, encoding="utf-8")
    for slug, (ext, date, guid) in EPISODES.items():
        shutil.copy2(ROOT / "episodes" / f"{slug}.{ext}", dest / "episodes" / f"{slug}.{ext}")
        note = NOTE.format(title=f"Episode {date}", date=date, guid=guid,
                           key=BIBLIOGRAPHIES[bibliography])  # fmt: skip
        (dest / "show_notes" / f"{slug}.md").write_text(note, encoding="utf-8")
    return dest
