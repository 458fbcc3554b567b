"""An episode keeps its note's body as a hash and reads the body again when its notes are
rendered (issue 11): the read must give back exactly what was hashed, or refuse."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from publisher.episodes import body_digest, read_body
from publisher.episodes.frontmatter import read_front_matter
from publisher.errors import EpisodeError

UTC = ZoneInfo("UTC")
BODY = "Notes that cite [@brinjikji2015], in Unicode: “30–40 %”.\n\n---\n\nA rule, not a fence.\n"


@pytest.mark.parametrize(
    "text",
    [
        f"---\ntitle: One\n---\n{BODY}",
        f"\ufeff---\r\ntitle: One\r\n...\r\n{BODY}",  # a BOM, CRLF lines, a '...' end
        "---\ntitle: One\n---\n",  # no body at all
    ],
)
def test_the_body_read_again_is_the_body_read_first(tmp_path: Path, text: str) -> None:
    note = tmp_path / "one.md"
    note.write_bytes(text.encode("utf-8"))
    front = read_front_matter(note, UTC)
    body = read_body(note, front.body_sha256)
    assert front.body_sha256 == body_digest(body)
    assert body == text.lstrip("\ufeff").split("\n", 3)[3]


def test_a_note_changed_after_it_was_read_is_refused(tmp_path: Path) -> None:
    note = tmp_path / "one.md"
    note.write_text(f"---\ntitle: One\n---\n{BODY}", encoding="utf-8")
    front = read_front_matter(note, UTC)
    note.write_text(f"---\ntitle: One\n---\n{BODY}One more line.\n", encoding="utf-8")
    with pytest.raises(EpisodeError, match="changed while it was being built") as e:
        read_body(note, front.body_sha256)
    assert e.value.path == note and e.value.hint == "run the build again"
    note.write_text(f"---\ntitle: Retitled\n---\n{BODY}", encoding="utf-8")
    assert read_body(note, front.body_sha256) == BODY  # the front matter is not the body
    note.unlink()
    with pytest.raises(EpisodeError, match="cannot read the note"):
        read_body(note, front.body_sha256)


@pytest.mark.parametrize("bad", [*(chr(c) for c in range(0x20) if c not in (9, 10, 13)), "\ufffe"])
@pytest.mark.parametrize("rest", ["ASCII only", "and “Unicode”"])
def test_a_character_xml_forbids_is_found_on_its_line(tmp_path: Path, bad: str, rest: str) -> None:
    note = tmp_path / "one.md"
    text = f"---\ntitle: One\n---\nfine\n\tstill fine\r\nnot {bad} fine, {rest}\n"
    note.write_text(text, encoding="utf-8")
    problems = read_front_matter(note, UTC).problems
    assert [p.line for p in problems if f"U+{ord(bad):04X}" in p.message] == [6]
    note.write_text(text.replace(bad, " "), encoding="utf-8")
    assert not [p for p in read_front_matter(note, UTC).problems if "XML" in p.message]
