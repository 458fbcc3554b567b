"""The keys ``publisher import`` writes, read as rows of the one config schema:
``imported_from`` (the old feed's URL) and ``enclosure_prefix`` (a measurement redirect)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from publisher import config
from publisher.errors import Problems, PublisherError
from publisher.model import Show
from tests.support.paths import ROOT

GOOD = """\
title: A Show
description: Plain words about the show.
author: Someone
owner: {name: Someone, email: someone@example.org}
language: en-gb
categories: [Health & Fitness > Medicine]
artwork: artwork.jpg
targets: {local: {location: out/, public_url: 'http://127.0.0.1:8000'}}
"""


@pytest.fixture
def show_dir(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "artwork.jpg", tmp_path / "artwork.jpg")
    return tmp_path


def load(folder: Path, extra: str) -> Show:
    (folder / "feed_config.yaml").write_text(GOOD + extra, encoding="utf-8")
    return config.load(folder)


def problems(folder: Path, extra: str) -> list[str]:
    with pytest.raises(PublisherError) as e:
        load(folder, extra)
    found = e.value.problems if isinstance(e.value, Problems) else (e.value,)
    return [str(p).removeprefix(f"{folder / 'feed_config.yaml'}:") for p in found]


def test_both_keys_are_read(show_dir: Path) -> None:
    show = load(
        show_dir,
        "imported_from: ' https://old.example.org/feed.rss '\n"
        "enclosure_prefix: https://op3.dev/e/\n",
    )
    assert (show.imported_from, show.enclosure_prefix) == (
        "https://old.example.org/feed.rss",
        "https://op3.dev/e/",
    )
    assert (load(show_dir, "").imported_from, load(show_dir, "").enclosure_prefix) == (None, None)


@pytest.mark.parametrize(
    ("extra", "problem"),
    [("imported_from: ftp://old.example.org/feed\n",
      "9: 'imported_from' must be the old feed's http(s) URL "
      "(write e.g. 'imported_from: https://feeds.example.com/show.xml')"),
     ("imported_from: https://old.example.org/fé\n",
      "9: 'imported_from' must be the old feed's http(s) URL "
      "(write e.g. 'imported_from: https://feeds.example.com/show.xml')"),
     ("imported_from: [a]\n", "9: 'imported_from' must be text, not a list "
      "(write e.g. 'imported_from: https://feeds.example.com/show.xml')"),
     ("enclosure_prefix: https://op3.dev/e\n",
      "9: 'enclosure_prefix' must end with '/'; each enclosure URL follows it "
      "(write 'https://op3.dev/e/')"),
     ("enclosure_prefix: 5\n",
      "9: 'enclosure_prefix' must be an absolute http(s) URL ending in '/', not 5 "
      "(e.g. https://op3.dev/e/ or https://dts.podtrac.com/redirect.mp3/)"),
     ("enclosure_prefix: https://op3.dev/é/\n",
      "9: 'enclosure_prefix' must be an absolute http(s) URL in ASCII [D-05] "
      "(e.g. https://op3.dev/e/ or https://dts.podtrac.com/redirect.mp3/)"),
     ("enclosure_prefx: https://op3.dev/e/\n",
      "9: unknown key 'enclosure_prefx' (did you mean 'enclosure_prefix'?)")],
)  # fmt: skip
def test_a_wrong_value_is_one_line_naming_the_key(show_dir: Path, extra: str, problem: str) -> None:
    assert problems(show_dir, extra) == [problem]
