"""The show's identity: the production target, podcast:guid never from a non-public URL."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from publisher import config
from publisher.errors import ConfigError, Problems
from tests.support.show import copy_show


@pytest.mark.parametrize(
    ("url", "public"),
    [
        ("https://podcast.example.org/", True),
        ("https://93.184.216.34/", True),
        ("https://[2606:4700::1111]/", True),
        ("http://127.0.0.1:8000/", False),
        ("http://127.8.9.1/", False),
        ("http://[::1]:8000/", False),
        ("http://localhost:8000/", False),
        ("http://LOCALHOST./", False),
        ("http://app.localhost/", False),
        ("https://10.0.0.5/", False),
        ("https://172.16.3.4/", False),
        ("https://192.168.1.20/", False),
        ("https://169.254.10.1/", False),
        ("https://[fe80::1]/", False),
        ("https://[fd00::1]/", False),
        ("https://100.64.0.1/", False),
        ("https://0.0.0.0/", False),
        ("https://nas.local/", False),
        ("https://pods.corp.internal/", False),
        ("https://myserver/", False),
    ],
)
def test_public_hosts(url: str, public: bool) -> None:
    assert config.is_public(url) is public
    assert config.is_public_https(url) is (public and url.startswith("https://"))


def edit(show: Path, **changes: object) -> Path:
    cfg = show / "feed_config.yaml"
    data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return show


PREVIEW = {"location": "public/", "public_url": "http://127.0.0.1:8000/"}


def test_production_is_the_marked_target_else_the_first_public_https_one(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "s")
    targets = {
        "local": PREVIEW,
        "lan": {"location": "lan/", "public_url": "https://192.168.1.2/"},
        "plain": {"location": "p/", "public_url": "http://cdn.example.org/"},
        "cdn": {"location": "c/", "public_url": "https://cdn.example.org/show/"},
        "mirror": {"location": "m/", "public_url": "https://mirror.example.org/"},
    }
    edit(show, targets=targets, podcast_guid=None)
    loaded = config.load(show)
    assert config.production_target(loaded.targets).name == "cdn"  # type: ignore[union-attr]
    assert config.feed_guid(loaded) == config.podcast_guid("https://cdn.example.org/show/feed.xml")
    targets["mirror"] = {**targets["mirror"], "production": True}
    edit(show, targets=targets)
    loaded = config.load(show)
    assert config.production_target(loaded.targets).name == "mirror"  # type: ignore[union-attr]
    assert config.feed_guid(loaded) == config.podcast_guid("https://mirror.example.org/feed.xml")


def test_a_stored_podcast_guid_is_always_what_the_feed_carries(tmp_path: Path) -> None:
    show = edit(copy_show(tmp_path / "s"), podcast_guid="0c3b5a1e-2f43-4a51-9a1c-6f7e3d2b1a09")
    assert config.feed_guid(config.load(show)) == "0c3b5a1e-2f43-4a51-9a1c-6f7e3d2b1a09"


def test_only_previews_give_no_podcast_guid_and_check_says_so_once(tmp_path: Path) -> None:
    show = edit(
        copy_show(tmp_path / "s"),
        podcast_guid=None,
        targets={
            "local": PREVIEW,
            "lan": {"location": "x/", "public_url": "https://nas.local/show/"},
        },
    )
    loaded = config.load(show)
    assert config.feed_guid(loaded) is None
    notices = [str(n) for n in config.identity_notices(loaded)]
    assert [n for n in notices if "podcast:guid" in n] == [
        f"{show / 'feed_config.yaml'}:{loaded.line('targets')}: no production target yet: feeds "
        "are previews and carry no podcast:guid [C-12] (add a target whose public_url is your "
        "public https address)"
    ]


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        (
            {
                "a": {"location": "a/", "public_url": "https://a.example.org/", "production": True},
                "b": {"location": "b/", "public_url": "https://b.example.org/", "production": True},
            },
            "targets 'a' and 'b' are both marked 'production: true'",
        ),
        (
            {"a": {**PREVIEW, "production": True}},
            "target 'a' is marked 'production: true' but its public_url http://127.0.0.1:8000/ "
            "is not a public https:// address [C-12]",
        ),
        (
            {"a": {"location": "a/", "public_url": "http://a.example.org/", "production": True}},
            "target 'a' is marked 'production: true' but its public_url http://a.example.org/ "
            "is not a public https:// address [C-12]",
        ),
        (
            {"a": {**PREVIEW, "production": "yes"}},
            "target 'a': 'production' must be true or false",
        ),
    ],
)
def test_production_marks_that_are_config_errors(
    tmp_path: Path, targets: dict[str, object], message: str
) -> None:
    show = edit(copy_show(tmp_path / "s"), targets=targets, default_target=None)
    with pytest.raises((ConfigError, Problems)) as info:
        config.load(show)
    problems = info.value.problems if isinstance(info.value, Problems) else (info.value,)
    assert message in [p.message for p in problems]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/feed.xml",  # the sample's old value
        "http://localhost:8080/feed.xml",
        "http://127.0.0.1/feed.xml",
        "http://192.168.1.9:8000/feed.xml",  # a target of the show itself
    ],
)
def test_check_warns_about_a_guid_computed_from_a_non_public_url(tmp_path: Path, url: str) -> None:
    guid = config.podcast_guid(url)
    if url == "http://127.0.0.1:8000/feed.xml":
        assert guid == "83592e4d-9d26-5dd7-bc60-9d742a8bfb85"
    show = edit(
        copy_show(tmp_path / "s"),
        podcast_guid=guid,
        targets={
            "local": PREVIEW,
            "lan": {"location": "l/", "public_url": "http://192.168.1.9:8000/"},
        },
    )
    loaded = config.load(show)
    (warning,) = [n for n in config.identity_notices(loaded) if n.rule == "C-12"]
    assert warning.message.startswith(f"'podcast_guid' {guid} is the recipe's value for {url}")
    assert warning.hint and "delete the line" in warning.hint
    assert warning.line == loaded.line("podcast_guid")


def test_the_sample_show_has_its_own_identity() -> None:
    from tests.support.paths import ROOT

    loaded = config.load(ROOT)
    assert [n for n in config.identity_notices(loaded)] == []
    assert loaded.podcast_guid == config.podcast_guid(
        "https://back-to-evidence.example.org/feed.xml"
    )
    assert loaded.target().public_url == "http://127.0.0.1:8000/"  # the demo still previews


def test_plain_http_on_a_public_host_warns_for_every_target(tmp_path: Path) -> None:
    show = edit(
        copy_show(tmp_path / "s"),
        targets={
            "local": PREVIEW,
            "lan": {"location": "l/", "public_url": "http://10.1.2.3/"},
            "old": {"location": "o/", "public_url": "http://old.example.org/"},
        },
    )
    warnings = [n.message for n in config.identity_notices(config.load(show)) if n.rule == "D-04"]
    assert warnings == [
        "target 'old' publishes at plain http:// (http://old.example.org/); apps and "
        "Podcasting 2.0 tags expect https:// [D-04]"
    ]
