"""YAML errors point at the line to fix with a hint that fits the error; a key written twice
is an error naming both lines, in feed_config.yaml and in front matter alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher import audio, config, episodes
from publisher.config import yamldoc
from publisher.errors import ConfigError, EpisodeError, Problems, PublisherError
from tests.support.show import one_note

DEEPER = (
    "this line is indented further than the key above it, so YAML reads it as part of that "
    "key's value; put it in the same column as the keys it belongs with"
)
SHALLOWER = (
    "this line is indented less than the lines above it but more than their parent key; "
    "put it in the same column as the keys it belongs with"
)
QUOTES = "put quotes around a value that contains ': ', e.g. title: \"Red flags: what…\""
TABS = "indent with spaces; YAML does not allow tabs"


@pytest.mark.parametrize(
    ("text", "line", "hint"),
    [
        ("title: x\n description: y\n", 2, DEEPER),
        ("a: 1\n  b: 2\n", 2, DEEPER),
        ("owner:\n  name: x\n    email: y\n", 3, DEEPER),
        ("owner:\n  name: x\n email: y\n", 3, SHALLOWER),
        ("a: 1\nb:\n  - x\n - y\n", 4, SHALLOWER),
        ("persons:\n  - name: x\n   role: y\n", 3, SHALLOWER),
        ("title: Red flags: what they tell you\n", 1, QUOTES),
        ("a: 1\ntitle: x: y\n", 2, QUOTES),
        ("owner:\n\tname: x\n", 2, TABS),
        ("a: 1\nb:\n\t- x\n", 3, TABS),
        ("title: x\ndescription\nauthor: y\n", 2,
         "a key needs ': ' after it; if this line continues the value above, indent it"),
        ("a: 1\ntitle: [x\nb: 2\n", 2, "close the bracket or quote opened on this line"),
        ("a: 1\ntitle: 'x\nb: 2\n", 2, "close the bracket or quote opened on this line"),
    ],
)  # fmt: skip
def test_syntax_errors_get_the_line_and_a_hint_that_fits(text: str, line: int, hint: str) -> None:
    with pytest.raises(ConfigError) as info:
        yamldoc.load(text, Path("f.yaml"), error=ConfigError)
    assert (info.value.line, info.value.hint) == (line, hint)
    assert info.value.message.startswith("invalid YAML: ")


def test_lines_count_from_the_documents_first_line() -> None:
    with pytest.raises(EpisodeError) as info:
        yamldoc.load("title: x\n date: y\n", Path("n.md"), first_line=2, error=EpisodeError)
    assert (info.value.line, info.value.hint) == (3, DEEPER)


KEEP = "keep one; YAML would silently use the last"


def test_duplicate_keys_name_both_lines_at_any_depth() -> None:
    text = "title: a\ndate: 1\ntitle: b\nowner:\n  name: a\n  name: b\nl:\n  - k: 1\n    k: 2\n"
    with pytest.raises(Problems) as info:
        yamldoc.load(text, Path("f.yaml"))
    assert [str(p) for p in info.value.problems] == [
        f"f.yaml:3: duplicate key 'title' (first defined at line 1) ({KEEP})",
        f"f.yaml:6: duplicate key 'name' (first defined at line 5) ({KEEP})",
        f"f.yaml:9: duplicate key 'k' (first defined at line 8) ({KEEP})",
    ]


def test_the_same_key_in_different_mappings_is_fine() -> None:
    doc = yamldoc.load("a:\n  name: x\nb:\n  name: y\nl: [{n: 1}, {n: 2}]\n", Path("f.yaml"))
    assert doc.data["b"]["name"] == "y"
    assert (doc.line("a", "name"), doc.line("b", "name")) == (2, 4)


def test_a_second_title_in_the_config(sample_show: Path) -> None:
    path = sample_show / "feed_config.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "title: Another\n", encoding="utf-8")
    first = text.split("\n").index(next(x for x in text.split("\n") if x.startswith("title:"))) + 1
    with pytest.raises(ConfigError) as info:
        config.load(sample_show)
    assert (info.value.path, info.value.line, info.value.message) == (
        path,
        text.count("\n") + 1,
        f"duplicate key 'title' (first defined at line {first})",
    )


def test_a_second_title_in_front_matter(sample_show: Path) -> None:
    note = one_note(sample_show, "title: A\ndate: 2026-09-01\nguid: g\ntitle: B\n")
    with pytest.raises(PublisherError) as info:
        episodes.read_episodes(config.load(sample_show), audio.read_audio, guid_mode="refuse")
    assert str(info.value) == f"{note}:5: duplicate key 'title' (first defined at line 2) ({KEEP})"


def test_a_yaml_error_reads_as_one_sentence_and_a_bad_offset_in_plain_words() -> None:
    with pytest.raises(ConfigError) as info:
        yamldoc.load("a: 1\ntitle: [x\nb: 2\n", Path("f.yaml"), error=ConfigError)
    assert info.value.message.startswith("invalid YAML: while parsing a flow sequence: expected")
    with pytest.raises(ConfigError) as info:
        yamldoc.load("date: 2026-11-20T08:30:00+25:00\n", Path("f.yaml"), error=ConfigError)
    assert info.value.message == (
        "'date': invalid value '2026-11-20T08:30:00+25:00': a time's UTC offset must lie "
        "between -23:59 and +23:59"
    )
    assert "timedelta" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "line", "char"),
    [("a: 1\nb: x\x07y\n", 2, "0007"), ("title: x\ndescription: y\x1b\n", 2, "001B"),
     ("\x0c\n", 1, "000C")],
)  # fmt: skip
def test_a_character_yaml_never_allows_is_one_line_with_its_line_and_a_hint(
    text: str, line: int, char: str
) -> None:
    with pytest.raises(ConfigError) as info:
        yamldoc.load(text, Path("f.yaml"), first_line=1, error=ConfigError)
    assert str(info.value) == (
        f"f.yaml:{line}: invalid YAML: it contains U+{char}, which YAML does not allow "
        "(delete it; such characters are often invisible in an editor)"
    )


def _colon(example: str) -> str:
    return f"a key needs ': ' after it, as in {example}"


@pytest.mark.parametrize(
    ("text", "line", "hint"),
    [
        ("title Broken note\ndate: 2026-12-01T10:00:00+00:00\n", 1, _colon("title: Broken note")),
        ("# c\n\ntitle NF  # the name\n# c\ndescription: x\n", 3, _colon("title: NF")),
        ("owner\n  name: x\n", 1, _colon("owner:")),
        ("title: x\nowner:\n  name x\n  email: y\n", 3, _colon("name: x")),
        ("title: x\nowner:\n  name x  # c\n  email: y\n", 3, _colon("name: x")),
        ("description: a long\n  text\n  more: x\n", 3, DEEPER),
        ("description:\n  - a\n  b: x\n", 3, SHALLOWER),
    ],
)  # fmt: skip
def test_a_first_key_without_its_colon_is_named_not_the_line_below(
    text: str, line: int, hint: str
) -> None:
    # PyYAML reads `title Broken note` as a value and fails only at the next key, in words
    # about indentation; the line to fix is the one without the colon.
    with pytest.raises(ConfigError) as info:
        yamldoc.load(text, Path("f.yaml"), error=ConfigError)
    assert (info.value.line, info.value.hint) == (line, hint)
    assert info.value.message.startswith("invalid YAML: ")


def _read_note(show: Path, front: str) -> str:
    one_note(show, front)
    with pytest.raises(PublisherError) as info:
        episodes.read_episodes(config.load(show), audio.read_audio, guid_mode="refuse")
    return str(info.value)


@pytest.mark.parametrize(
    ("front", "said"),
    [
        ("title Broken note\ndate: 2026-12-01T10:00:00+00:00\nguid: g\n",
         f":2: invalid YAML: could not find expected ':' ({_colon('title: Broken note')})"),
        ("title: A\ndate 2026-12-01T10:00:00+00:00\nguid: g\n",
         ":3: invalid YAML: while scanning a simple key: could not find expected ':' "
         "(a key needs ': ' after it; if this line continues the value above, indent it)"),
        ("title: A\n  date: 2026-12-01T10:00:00+00:00\nguid: g\n",
         f":3: invalid YAML: mapping values are not allowed here ({DEEPER})"),
    ],
)  # fmt: skip
def test_a_key_without_its_colon_in_front_matter(sample_show: Path, front: str, said: str) -> None:
    assert _read_note(sample_show, front) == f"{sample_show / 'show_notes' / 'one.md'}{said}"


@pytest.mark.parametrize(
    ("written", "fixed", "line", "said"),
    [
        ("title: Back", "title Back", 2,
         f"could not find expected ':' ({_colon('title: Back to Evidence')})"),
        ("  name: Back", "  name Back", 9,
         f"could not find expected ':' ({_colon('name: Back to Evidence')})"),
        ("author: Back", "author Back", 7,
         "while scanning a simple key: could not find expected ':' "
         "(a key needs ': ' after it; if this line continues the value above, indent it)"),
        ("  email: producer", "    email: producer", 10,
         f"mapping values are not allowed here ({DEEPER})"),
    ],
)  # fmt: skip
def test_a_key_without_its_colon_in_the_config(
    sample_show: Path, written: str, fixed: str, line: int, said: str
) -> None:
    path = sample_show / "feed_config.yaml"
    text = path.read_text(encoding="utf-8")
    assert written in text
    path.write_text(text.replace(written, fixed, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        config.load(sample_show)
    assert str(info.value) == f"{path}:{line}: invalid YAML: {said}"
