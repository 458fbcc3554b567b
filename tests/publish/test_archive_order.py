"""Archive feeds (RFC 5005) go up before the main feed that links them, so an app never
follows ``prev-archive`` to a missing file."""

from __future__ import annotations

from pathlib import Path

from publisher import build
from publisher.publish import run as deploy
from tests.support.show import FIXED_NOW


def test_archives_are_uploaded_before_the_feed(sample_show: Path) -> None:
    cfg = sample_show / "feed_config.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "feed:\n  max_items: 1\n", encoding="utf-8")
    report = deploy.publish(build.build(sample_show, now=FIXED_NOW, guid_mode="refuse"))
    order = [a.key for a in report.uploaded]
    archives = [i for i, key in enumerate(order) if key.startswith("feed-archive-")]
    assert archives, order
    assert order[-1] == "feed.xml"
    assert max(archives) < order.index("feed.xml")
