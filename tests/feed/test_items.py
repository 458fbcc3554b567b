"""Feed items cut out of their serialisation, a batch of items at a time (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.feed import items as feed_items
from publisher.feed.items import item_chunks
from tests.support.catalogue import catalogue_items, rendered_notes, sample_show


@pytest.mark.parametrize("full", [True, False])
def test_items_in_batches_are_the_bytes_of_one_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, full: bool
) -> None:
    show, items = sample_show(), catalogue_items(7, rendered_notes(tmp_path, kinds=2))
    whole = item_chunks(show, items, full=full)  # one batch
    monkeypatch.setattr(feed_items, "BATCH", 3)  # 3 + 3 + 1
    batched = item_chunks(show, items, full=full)
    assert len(whole) == 7 and batched == whole
    guids = [i.episode.guid.encode() for i in items]
    assert all(g in chunk for g, chunk in zip(guids, batched, strict=True))
