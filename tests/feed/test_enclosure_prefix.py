"""``enclosure_prefix``: a measurement redirect (OP3, Podtrac, …) in front of every enclosure
URL of the feed, written before the URL without its ``https://``; refused when malformed."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from publisher import build, config
from publisher.errors import PublisherError
from tests.support.feedxml import NS
from tests.support.show import FIXED_NOW

BASE = "https://podcast.example.org/show/"


def with_config(show: Path, line: str) -> None:
    source = show / "feed_config.yaml"
    source.write_text(source.read_text() + line + "\n")


def enclosures(show: Path, tmp_path: Path) -> list[str]:
    target = config.make_target("cdn", str(tmp_path / "pub"), BASE, show)
    result = build.build(show, now=FIXED_NOW, target=target, out_dir=tmp_path / "out")
    root = etree.parse(str(result.file("feed.xml").path)).getroot()
    return [str(u) for u in root.xpath("//item/enclosure/@url", namespaces=NS)]


def test_every_enclosure_url_gets_the_prefix(sample_show: Path, tmp_path: Path) -> None:
    plain = enclosures(sample_show, tmp_path / "a")
    with_config(sample_show, "enclosure_prefix: https://op3.dev/e/")
    prefixed = enclosures(sample_show, tmp_path / "b")
    assert prefixed == ["https://op3.dev/e/" + u.removeprefix("https://") for u in plain]
    assert all(u.startswith(BASE + "media/") for u in plain)


@pytest.mark.parametrize(
    ("value", "message"),
    [("op3.dev/e/", "'enclosure_prefix' must be an absolute http(s) URL in ASCII [D-05] "
                    "(e.g. https://op3.dev/e/ or https://dts.podtrac.com/redirect.mp3/)"),
     ("https://op3.dev/e", "'enclosure_prefix' must end with '/'; each enclosure URL follows it "
                           "(write 'https://op3.dev/e/')")],
)  # fmt: skip
def test_a_malformed_prefix_is_refused(sample_show: Path, value: str, message: str) -> None:
    with_config(sample_show, f"enclosure_prefix: {value}")
    with pytest.raises(PublisherError) as e:
        config.load(sample_show)
    line = (sample_show / "feed_config.yaml").read_text().count("\n")
    assert str(e.value) == f"{sample_show / 'feed_config.yaml'}:{line}: {message}"
