"""An unbalanced ``[`` or ``]`` (or a port that is no number) in any URL setting is one line
naming the file, the line and the key - it was ``ValueError: Invalid IPv6 URL`` with a
traceback."""

from __future__ import annotations

import io
from contextlib import redirect_stderr
from pathlib import Path

import pytest

from publisher import build
from publisher.cli import main
from publisher.errors import PublisherError
from tests.support.fuzz import small_show
from tests.support.show import FIXED_NOW

CONFIG, NOTE = "feed_config.yaml", "show_notes/2026-09-15-red-flags.md"
CASES = {
    # the setting: (file, its text today, the slip, the key the message names)
    "public_url": (CONFIG, "public_url: http://127.0.0.1:8000/",
                   "public_url: http://127.0.0.1:80]0/", "public_url"),
    "funding": (CONFIG, "url: https://example.org/support", "url: https://[x/support",
                "funding.url"),
    "persons": (CONFIG, "href: https://example.org/sam", "href: https://ex]ample.org/sam",
                "'href'"),
    "new_feed_url": (CONFIG, "funding:", "new_feed_url: https://[new.example.org/feed.xml\nfunding:",
                     "new_feed_url"),
    "subscribe": (CONFIG, "pocket_casts: https://pca.st/backtoevidence",
                  "pocket_casts: https://pca.st:8x/backtoevidence", "subscribe.pocket_casts"),
    "endpoint_url": (CONFIG, "targets:\n", "targets:\n  r2:\n    location: s3://b/p\n"
                     "    public_url: https://cdn.example.org/\n    endpoint_url: http://[x/\n",
                     "endpoint_url"),
    "front matter persons href": (NOTE, "href: https://example.org/ana",
                                  "href: https://[example.org/ana", "'href'"),
    "front matter persons img": (NOTE, "img: https://example.org/ana.jpg",
                                 "img: https://example.org]/ana.jpg", "'img'"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_a_bracket_in_a_url_setting_is_one_line_with_file_line_and_key(
    tmp_path: Path, name: str
) -> None:
    rel, good, bad, key = CASES[name]
    show = small_show(tmp_path / "show")
    path = show / rel
    text = path.read_text(encoding="utf-8")
    assert good in text
    path.write_text(text.replace(good, bad), encoding="utf-8")
    line = (
        text[: text.index(good)].count("\n")
        + 1
        + bad[: bad.index(key.split(".")[-1].strip("'"))].count("\n")
    )
    with pytest.raises(PublisherError) as info:
        build.check(show, now=FIXED_NOW)
    lines = str(info.value).splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}:{line}: ") and key in lines[0]


@pytest.mark.parametrize("url", ["http://[x/", "http://127.0.0.1:80]0/", "https://h:port/"])
def test_a_bracket_in_public_url_on_the_command_line_is_one_line(
    tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    show = small_show(tmp_path / "show")
    monkeypatch.chdir(show)
    err = io.StringIO()
    with redirect_stderr(err):
        code = main(["check", "--to", str(tmp_path / "www"), "--public-url", url])
    assert code == 1
    assert err.getvalue().splitlines() == [
        f"error: --public-url {url!r} is not an http(s) URL "
        "(e.g. https://cdn.example.org/show/; a host in [brackets] must be an IPv6 address)"
    ]
