"""feed_config.yaml: every problem at once, each with its line; secrets refused; podcast:guid recipe."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from publisher import config
from publisher.errors import ConfigError, Problems
from tests.support.paths import ROOT


@pytest.fixture
def show_dir(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "artwork.jpg", tmp_path / "artwork.jpg")
    return tmp_path


def write(folder: Path, text: str) -> Path:
    (folder / "feed_config.yaml").write_text(text, encoding="utf-8")
    return folder


GOOD = """\
title: A Show
description: Plain words about the show.
author: Someone
owner: {name: Someone, email: someone@example.org}
language: en-gb
categories:
  - Health & Fitness > Medicine
artwork: artwork.jpg
targets:
  local:
    location: out/
    public_url: http://127.0.0.1:8000
"""


def test_sample_show_loads() -> None:
    show = config.load(ROOT)
    assert show.title == "Back to Evidence"
    assert show.categories[0].name == "Health & Fitness"
    assert show.categories[0].subcategory == "Medicine"
    assert show.target().public_url == "http://127.0.0.1:8000/"
    production = config.production_target(show.targets)
    assert production is not None and production.name == "production"
    assert show.podcast_guid == config.podcast_guid(production.feed_url)


def test_minimal_config_defaults(show_dir: Path) -> None:
    show = config.load(write(show_dir, GOOD))
    assert show.timezone == "UTC"
    assert show.type == "episodic"
    assert show.explicit is False
    assert show.default_target == "local"
    assert show.citation_style == "american-medical-association"
    t = show.target()
    assert t.kind == "local" and t.location == str(show_dir / "out")
    assert t.public_url.endswith("/") and t.feed_url == "http://127.0.0.1:8000/feed.xml"


@pytest.mark.parametrize(
    ("url", "guid"),
    [
        ("https://podnews.net/rss", "9b024349-ccf0-5f69-a609-6b82873eab3c"),
        ("http://mp3s.nashownotes.com/pc20rss.xml", "917393e3-1b1e-5cef-ace4-edaa54e1f810"),
        ("https://podnews.net/rss/", "9b024349-ccf0-5f69-a609-6b82873eab3c"),
    ],
)
def test_podcast_guid_recipe(url: str, guid: str) -> None:
    assert config.podcast_guid(url) == guid


def test_all_problems_reported_together_with_lines(show_dir: Path) -> None:
    text = (
        GOOD.replace("language: en-gb", "language: English").replace(
            "Health & Fitness > Medicine", "Health & Fitness > Medicin"
        )
        + "explicit: yes please\ncolour: blue\n"
    )
    with pytest.raises(Problems) as info:
        config.load(write(show_dir, text))
    lines = [str(p) for p in info.value.problems]
    src = str(show_dir / "feed_config.yaml")
    assert (
        f"{src}:5: 'language' 'English' is not an ISO 639 code like 'en' or 'en-us' [C-04] "
        "(write e.g. 'language: en')"
    ) in lines
    assert (
        f"{src}:7: 'Medicin' is not a subcategory of 'Health & Fitness' [C-05] "
        "(did you mean 'Medicine'?)"
    ) in lines
    assert (
        f"{src}:13: 'explicit' must be true or false, not 'yes please' (write e.g. 'explicit: false')"
    ) in lines
    allowed = ", ".join(config.CONFIG.names)
    assert f"{src}:14: unknown key 'colour' (allowed: {allowed})" in lines
    assert allowed.startswith("title, description, author, owner, language, categories")


@pytest.mark.parametrize(
    ("written", "now"),
    [
        ("Games & Hobbies", "'Leisure'"),
        ("Games & Hobbies > Video Games", "'Leisure > Video Games'"),
        ("Science & Medicine", "'Science' or 'Health & Fitness > Medicine'"),
        ("Science & Medicine > Medicine", "'Health & Fitness > Medicine'"),
        ("Science & Medicine > Social Sciences", "'Science > Social Sciences'"),
        ("News & Politics", "'News' or 'News > Politics'"),
        ("Health > Fitness & Nutrition", "'Health & Fitness > Fitness' or 'Health & Fitness > Nutrition'"),
        ("Health > Self-Help", "'Education > Self-Improvement'"),
        ("Sports & Recreation > Outdoor", "'Sports > Wilderness'"),
        ("Government & Organizations > Non-Profit", "'Business > Non-Profit'"),
        # a parent that still exists with a retired subcategory
        ("Technology > Podcasting", "'Technology'"),
        ("Technology > Tech News", "'News > Tech News'"),
        ("Arts > Literature", "'Arts > Books'"),
        ("Society & Culture > History", "'History'"),
        ("Business > Management & Marketing", "'Business > Management' or 'Business > Marketing'"),
    ],
)  # fmt: skip
def test_retired_categories_name_their_current_equivalents(
    show_dir: Path, written: str, now: str
) -> None:
    with pytest.raises(ConfigError) as info:
        config.load(write(show_dir, GOOD.replace("Health & Fitness > Medicine", written)))
    assert (info.value.line, info.value.message, info.value.hint) == (
        7,
        f"{written!r} is a category Apple retired in 2019 [C-05]",
        f"did you mean {now}?",
    )


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("Music:Music Interviews", "did you mean 'Music > Music Interviews'? (Apple's parent and subcategory)"),
        ("Health & Fitness: Medicine", "did you mean 'Health & Fitness > Medicine'? (Apple's parent and subcategory)"),
        ("Health & Fitness/Medicine", "did you mean 'Health & Fitness > Medicine'? (Apple's parent and subcategory)"),
        ("Science » Physics", "did you mean 'Science > Physics'? (Apple's parent and subcategory)"),
        ("Music:Interviews", "did you mean 'Music > …'? its subcategories: Music Commentary, Music "
         "History, Music Interviews"),
    ],
)  # fmt: skip
def test_other_separators_get_the_right_spelling(show_dir: Path, written: str, hint: str) -> None:
    with pytest.raises(ConfigError) as info:
        config.load(write(show_dir, GOOD.replace("Health & Fitness > Medicine", f"'{written}'")))
    assert (info.value.message, info.value.hint) == (
        f"unknown Apple category {written!r} [C-05]",
        hint,
    )


def test_secret_in_config_is_refused_and_never_echoed(show_dir: Path) -> None:
    text = GOOD + "    aws_secret_access_key: fake-Secret-Value-for-tests\n"
    with pytest.raises(ConfigError) as info:
        config.load(write(show_dir, text))
    message = str(info.value)
    assert message.startswith(
        f"{show_dir / 'feed_config.yaml'}:13: 'aws_secret_access_key' must "
        "not be stored in feed_config.yaml (remove it; supply credentials "
        "through the AWS chain"
    )
    assert "fake-Secret" not in message


def test_localhost_public_url_refused(show_dir: Path) -> None:
    with pytest.raises(ConfigError) as info:
        config.load(write(show_dir, GOOD.replace("127.0.0.1", "localhost")))
    assert "use http://127.0.0.1:PORT/ instead of localhost [D-04]" in str(info.value)


def test_broken_yaml_names_the_line(show_dir: Path) -> None:
    with pytest.raises(ConfigError) as info:
        config.load(write(show_dir, GOOD + "title: [unclosed\n"))
    assert str(info.value).startswith(f"{show_dir / 'feed_config.yaml'}:13: invalid YAML")


def test_missing_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        config.load(tmp_path)
    assert str(info.value) == (
        f"{tmp_path / 'feed_config.yaml'}: no feed_config.yaml here "
        "(run in the show folder or pass --show DIR)"
    )


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (
            lambda: _img((1400, 1000), "RGB", "JPEG"),
            "is 1400x1000 px; it must be square, 1400-3000 px a side",
        ),
        (lambda: _img((600, 600), "RGB", "JPEG"), "is 600x600 px; use 1400-3000 px a side"),
        (
            lambda: _img((1400, 1400), "CMYK", "JPEG"),
            "is CMYK; save it as RGB without transparency",
        ),
        (lambda: _img((1400, 1400), "RGBA", "PNG"), "is PNG but named .jpg; rename it .png"),
    ],
)
def test_artwork_rules(show_dir: Path, make: object, problem: str) -> None:
    (show_dir / "artwork.jpg").write_bytes(make())  # type: ignore[operator]
    with pytest.raises(ConfigError) as info:
        config.load(write(show_dir, GOOD))
    assert problem in str(info.value)
    assert str(info.value).startswith(f"{show_dir / 'feed_config.yaml'}:8: artwork 'artwork.jpg' ")


def _img(size: tuple[int, int], mode: str, fmt: str) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new(mode, size).save(buf, fmt)
    return buf.getvalue()


def test_s3_target_parts(show_dir: Path) -> None:
    text = GOOD + (
        "  prod:\n    location: s3://bucket/shows/back\n"
        "    public_url: https://cdn.example.org/back/\n    region: auto\n"
    )
    show = config.load(write(show_dir, text))
    t = show.target("prod")
    assert (t.kind, t.bucket, t.prefix, t.region) == ("s3", "bucket", "shows/back/", "auto")


def test_credentials_in_a_public_url_are_refused_and_not_echoed(show_dir: Path) -> None:
    text = GOOD.replace("http://127.0.0.1:8000", "http://FAKEKEYID:fakeSecret@127.0.0.1:8000")
    with pytest.raises(ConfigError) as info:
        config.load(write(show_dir, text))
    message = str(info.value)
    assert message == (
        f"{show_dir / 'feed_config.yaml'}:10: target 'local': public_url must not contain a user "
        "name or password; it would be published in every URL of the feed and site (remove "
        "them from the URL, and supply credentials through the AWS chain instead)"
    )
    assert "FAKEKEYID" not in message and "fakeSecret" not in message


def test_categories_may_be_one_string(show_dir: Path) -> None:
    text = GOOD.replace(
        "categories:\n  - Health & Fitness > Medicine\n",
        "categories: Health & Fitness > Medicine\n",
    )
    show = config.load(write(show_dir, text))
    assert [(c.name, c.subcategory) for c in show.categories] == [("Health & Fitness", "Medicine")]


def test_subcategory_alone_names_its_parent(show_dir: Path) -> None:
    with pytest.raises(ConfigError) as info:
        config.load(write(show_dir, GOOD.replace("Health & Fitness > Medicine", "Medicine")))
    assert str(info.value).endswith(
        "unknown Apple category 'Medicine' [C-05] (it is a subcategory: write 'Health & Fitness > Medicine')"
    )


def test_keys_that_yaml_reads_as_numbers_or_booleans_are_just_unknown(show_dir: Path) -> None:
    with pytest.raises(Problems) as info:
        config.load(write(show_dir, GOOD + "123: x\nyes: 1\n"))
    assert [p.message for p in info.value.problems] == ["unknown key '123'", "unknown key 'yes'"]


def test_absurdly_large_artwork_is_refused_without_decoding_it(show_dir: Path) -> None:
    import struct
    import warnings
    import zlib

    png = bytearray(_img((8, 8), "RGB", "PNG"))
    ihdr = struct.pack(">II", 20000, 20000) + bytes(png[24:29])  # width, height, rest of IHDR
    png[16:29] = ihdr
    png[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    (show_dir / "artwork.png").write_bytes(bytes(png))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the library must not warn (it would print)
        with pytest.raises(ConfigError) as info:
            config.load(write(show_dir, GOOD.replace("artwork.jpg", "artwork.png")))
    assert "artwork 'artwork.png' far too large to be artwork (over 170 megapixels) [C-03]" in str(
        info.value
    )


TARGET = "  local:\n    location: out/\n    public_url: http://127.0.0.1:8000\n"


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [("", "episodes_per_page: 0\n",
      "'episodes_per_page' must be a whole number from 1 to 500 (write e.g. 'episodes_per_page: 20')"),
     ("", "accent_color: red\n",
      "'accent_color' needs exactly 'light' and 'dark' colours (write e.g. 'accent_color: "
      "{light: \"#0b57b0\", dark: \"#8ab8ff\"}' (quoted: YAML reads # as a comment))"),
     ("", "subscribe: https://podcasts.apple.com/x\n",
      "'subscribe' maps app names to the show's https URLs there (write e.g. 'subscribe: "
      "{apple_podcasts: https://podcasts.apple.com/podcast/id123456789}')"),
     ("", "feed: {full_notes: -1}\n",
      "'feed.full_notes' must be a whole number from 0 up, not -1 (write e.g. 'full_notes: 20')"),
     ("", "funding: {url: 'http://example.org/give'}\n",
      "'funding.url' must be an absolute https:// URL [C-14] (write e.g. "
      "'url: https://example.org/support')"),
     ("", "websub_hub: hub\n",
      "'websub_hub' must be an absolute http(s) URL (write e.g. "
      "'websub_hub: https://pubsubhubbub.appspot.com/')"),
     ("", "default_target: staging\n",
      "'default_target' 'staging' is not one of the targets: local (write one of them, e.g. "
      "'default_target: local')"),
     ("owner: {name: Someone, email: someone@example.org}", "owner: {email: someone@example.org}",
      "'owner' needs a 'name' [C-09] (write e.g. 'owner: {name: Ana Lee, email: ana@example.org}')"),
     ("  - Health & Fitness > Medicine", "  - [Science]",
      "a category is 'Parent > Sub' or 'Parent' (write e.g. '- Health & Fitness > Medicine' or "
      "'- Science')"),
     ("categories:\n  - Health & Fitness > Medicine", "categories: []",
      "'categories' is empty; name at least one Apple category [C-05] (write e.g. "
      "'categories: [Health & Fitness > Medicine]')"),
     (TARGET, "  local: out/\n",
      "target 'local' must be a mapping with location and public_url (write e.g. "
      "'local: {location: public/, public_url: https://podcast.example.org/}')"),
     ("    location: out/\n", "",
      "target 'local' needs a 'location' (a folder or an S3 prefix, e.g. public/ or "
      "s3://my-podcast/show)"),
     ("location: out/", "location: ftp://example.org/show",
      "target 'local': location 'ftp://example.org/show' is neither a folder nor s3://… "
      "(a folder or an S3 prefix, e.g. public/ or s3://my-podcast/show)"),
     ("location: out/", "location: s3:///show",
      "target 'local': 's3:///show' names no bucket (write the bucket's name after s3://, "
      "e.g. s3://my-podcast/show)"),
     ("location: out/", "location: s3://b/show\n    addressing_style: dotted",
      "target 'local': addressing_style must be path, virtual or auto (write e.g. "
      "'addressing_style: path' (most S3-compatible servers), or delete it)"),
     ("location: out/", "location: out/\n    production: yes please",
      "target 'local': 'production' must be true or false (write 'production: true' on the one "
      "target apps subscribe to, else delete it)"),
     ("location: out/", "location: out/\n    stale_grace_hours: soon",
      "target 'local': stale_grace_hours must be a number of hours, 0 or more (write e.g. "
      "'stale_grace_hours: 24')"),
     ("location: out/", "location: out/\n    endpoint_url: minio",
      "target 'local': endpoint_url 'minio' is not an http(s) URL (the S3 service's address, "
      "e.g. https://s3.eu-west-1.amazonaws.com)"),
     ("http://127.0.0.1:8000", "http://127.0.0.1:8000/é/",
      "target 'local': public_url must be ASCII [D-05] (write the host in its xn-- form and "
      "percent-encode the rest, e.g. 'é' as %C3%A9)")],
)  # fmt: skip
def test_every_problem_says_what_to_write_instead(
    show_dir: Path, old: str, new: str, problem: str
) -> None:
    text = GOOD.replace(old, new) if old else GOOD + new
    assert text != GOOD
    with pytest.raises(ConfigError) as info:
        config.load(write(show_dir, text))
    said = info.value.problems if isinstance(info.value, Problems) else (info.value,)
    assert [f"{p.message} ({p.hint})" for p in said] == [problem]


@pytest.mark.parametrize("text", ["- title: A Show\n", "A Show\n"])
def test_a_config_that_is_no_mapping_says_what_to_write(show_dir: Path, text: str) -> None:
    with pytest.raises(ConfigError) as info:
        config.load(write(show_dir, text))
    assert str(info.value) == (
        f"{show_dir / 'feed_config.yaml'}:1: feed_config.yaml must be a mapping of keys to values "
        "(write one 'key: value' per line, e.g. 'title: Night Shift Science'; 'publisher init' "
        "writes a complete one)"
    )


def test_a_config_not_in_utf8_says_to_save_it_so(show_dir: Path) -> None:
    (show_dir / "feed_config.yaml").write_bytes(
        GOOD.replace("Someone", "Ren\xe9").encode("latin-1")
    )
    with pytest.raises(ConfigError) as info:
        config.load(show_dir)
    assert (info.value.message, info.value.hint) == (
        "feed_config.yaml is not UTF-8 text",
        "save it as UTF-8",
    )


def test_an_unknown_target_name_says_what_to_pass(show_dir: Path) -> None:
    show = config.load(write(show_dir, GOOD))
    with pytest.raises(ConfigError) as info:
        config.find_target(show, "staging")
    assert (info.value.message, info.value.hint) == (
        "no target named 'staging'; targets: local",
        "pass one of those names, or add the target under 'targets:'",
    )
