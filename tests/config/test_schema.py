"""One schema for feed_config.yaml and front matter: the same mistake reads the same in both,
nested mappings word unknown keys alike, and a new field is one row."""

from __future__ import annotations

import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from publisher import audio, config, episodes
from publisher.config import yamldoc
from publisher.config.fields import FRONT_MATTER
from publisher.config.schema import TEXT, Field, FieldReader, Schema
from publisher.errors import ConfigError, EpisodeError, Problems, PublisherError
from tests.support.paths import TESTS
from tests.support.show import copy_show

AUDIO = TESTS / "data" / "audio"


def problems(e: PublisherError) -> list[PublisherError]:
    return list(e.problems) if isinstance(e, Problems) else [e]


def config_messages(show: Path, extra: str) -> list[str]:
    path = show / "feed_config.yaml"
    key = extra.split(":", 1)[0]  # replace a key the sample sets (a second one is an error)
    kept = [x for x in path.read_text(encoding="utf-8").splitlines(True) if x.split(":")[0] != key]
    path.write_text("".join(kept) + extra, encoding="utf-8")
    with pytest.raises(PublisherError) as info:
        config.load(show)
    return [p.message + f" ({p.hint})" for p in problems(info.value)]


def note_messages(show: Path, extra: str) -> list[str]:
    for p in (show / "show_notes").glob("*.md"):
        p.unlink()
    shutil.copy(AUDIO / "cbr.mp3", show / "episodes" / "zz.mp3")
    (show / "show_notes" / "zz.md").write_text(
        f"---\ntitle: T\ndate: 2026-09-01\nguid: g\n{extra}---\nBody\n", encoding="utf-8"
    )
    with pytest.raises(PublisherError) as info:
        episodes.read_episodes(config.load(show), audio.read_audio, guid_mode="refuse")
    found = [p for p in problems(info.value) if p.path and p.path.name == "zz.md"]
    assert all(isinstance(p, EpisodeError) for p in found)
    return [p.message + f" ({p.hint})" for p in found]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("explicit: maybe\n", "'explicit' must be true or false, not 'maybe' (write e.g. 'explicit: false')"),
        ("explicit: 1\n", "'explicit' must be true or false, not 1 (write e.g. 'explicit: false')"),
        ("titel: x\n", "unknown key 'titel' (did you mean 'title'?)"),
        ("bibliography: {a: 1}\n", "'bibliography' must be a path or a list of paths, not a mapping "
         "(write e.g. 'bibliography: references.bib')"),
        ("persons: Ana\n", "'persons' must be a list of names or of {name, role, group, img, href}, not 'Ana' "
         "(write e.g. 'persons: [Ana Lee, {name: Ben Ode, role: guest}]')"),
        ("persons: [5]\n", "a person is a name or a mapping with 'name' "
         "(write e.g. '- Ana Lee' or '- {name: Ana Lee, role: guest}')"),
        ("persons: [{name: Ana, href: 'http://example.org/ana'}]\n", "a person's 'href' must be an "
         "absolute https:// URL [D-04] (write e.g. 'href: https://example.org/ana-lee')"),
        (
            "persons: [{name: Ana, rol: guest}]\n",
            "unknown key 'rol' (did you mean 'role'?)",
        ),
        ('title2: "a\\vb"\n', "'title2' contains U+000B, which XML 1.0 forbids [D-01] (delete it; "
         "such characters are often invisible in an editor)"),
    ],
)  # fmt: skip
def test_the_same_mistake_reads_the_same_in_both_files(
    sample_show: Path, extra: str, message: str
) -> None:
    in_config = config_messages(sample_show, extra)
    in_note = note_messages(copy_show(sample_show.parent / "other"), extra)
    assert message in in_config
    assert message in in_note


def test_nested_unknown_keys_are_worded_like_top_level_ones(sample_show: Path) -> None:
    path = sample_show / "feed_config.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    location:", "    locaton: x\n    location:", 1)
    text += "funding: {url: 'https://example.org/give', lable: Give}\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Problems) as info:
        config.load(sample_show)
    got = {(p.message, p.hint) for p in info.value.problems}
    assert ("unknown key 'locaton'", "did you mean 'location'?") in got
    assert ("unknown key 'lable'", "did you mean 'label'?") in got


def test_required_and_empty_fields(sample_show: Path) -> None:
    path = sample_show / "feed_config.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [x for x in lines if not x.startswith("author:")]
    kept = [("title: ''\n" if x.startswith("title:") else x) for x in kept]
    path.write_text("".join(kept), encoding="utf-8")
    with pytest.raises(Problems) as info:
        config.load(sample_show)
    assert [(p.line, p.message, p.hint) for p in info.value.problems] == [
        (1, "'title' is empty [C-01]", "add 'title:' to feed_config.yaml"),
        (1, "'author' is required", "add 'author:' to feed_config.yaml"),
    ]


def test_a_new_field_is_one_row(tmp_path: Path) -> None:
    source = tmp_path / "feed_config.yaml"
    doc = yamldoc.load("fediverse: https://social.example.org/@show\ntitle: x\n", source)
    row = Field("fediverse", TEXT)
    schema = Schema(config.CONFIG.where, (*config.CONFIG.fields, row))
    reader = FieldReader(doc, schema, ConfigError, base=tmp_path)
    values = reader.read()
    assert values["fediverse"] == "https://social.example.org/@show"
    assert "fediverse" in schema.names and "fediverse" not in config.CONFIG.names
    unknown = FieldReader(doc, config.CONFIG, ConfigError, base=tmp_path)
    unknown.read()
    assert [(p.line, p.message) for p in unknown.problems][0] == (1, "unknown key 'fediverse'")


def test_a_check_names_the_field_its_rule_and_hint(tmp_path: Path) -> None:
    doc = yamldoc.load("x: 12\n", tmp_path / "f.yaml")
    schema = Schema(
        "f.yaml",
        (Field("x", TEXT, "d", check=lambda v: f"{v!r} is short", hint="write more", rule="C-01"),),
    )
    reader = FieldReader(doc, schema, ConfigError, base=tmp_path)
    assert reader.read() == {"x": "d"}  # a value that fails its check leaves the default
    (problem,) = reader.problems
    assert str(problem) == f"{tmp_path / 'f.yaml'}:1: 'x' '12' is short [C-01] (write more)"


@pytest.mark.parametrize("schema", [config.CONFIG, FRONT_MATTER], ids=["config", "front matter"])
@pytest.mark.parametrize("wrong", ["[[1]]", "{a: 1}", "[{a: 1}]", "-1", "'é'", "x"])
def test_every_field_says_what_to_write_instead_of_a_wrong_value(
    tmp_path: Path, schema: Schema, wrong: str
) -> None:
    for f in schema.fields:
        doc = yamldoc.load(f"{f.name}: {wrong}\n", tmp_path / "f.yaml")
        reader = FieldReader(doc, schema, ConfigError, base=tmp_path, zone=ZoneInfo("UTC"))
        reader.read()
        said = [(p.message, p.hint) for p in reader.problems]
        assert all(hint for _, hint in said), (f.name, said)
        if wrong == "[[1]]":  # a wrong value for every field: each says so
            assert len(said) > sum(g.required for g in schema.fields if g.name != f.name), f.name


@pytest.mark.parametrize(
    ("text", "message"),
    [("bibliography: 5\n", "'bibliography' must be a path or a list of paths, not 5 "
      "(write e.g. 'bibliography: references.bib')"),
     ("season: first\n", "'season' must be a whole number from 1 up, not 'first' [I-12] "
      "(write e.g. 'season: 1')"),
     ("keywords: {a: 1}\n", "'keywords' must be a list of words or a comma-separated text, not a "
      "mapping (write e.g. 'keywords: [sleep, back pain]')")],
)  # fmt: skip
def test_a_wrong_front_matter_value_names_an_example(
    tmp_path: Path, text: str, message: str
) -> None:
    doc = yamldoc.load(text, tmp_path / "n.md")
    reader = FieldReader(doc, FRONT_MATTER, EpisodeError, base=tmp_path, zone=ZoneInfo("UTC"))
    reader.read()
    assert message in [f"{p.message} ({p.hint})" for p in reader.problems]
