"""Artwork renditions and icons are resized once per version of their file (build.art)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from publisher import layout
from publisher.filecache import BuildCache
from tests.support.show import FIXED_NOW, full_build


def _renditions(site: Path) -> dict[str, bytes]:
    keys = [p for p in site.rglob("*") if p.is_file() and p.parent.name == "artwork"]
    keys += [site / layout.FAVICON_KEY, site / layout.TOUCH_ICON_KEY]
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in keys}


def test_a_damaged_kept_rendition_is_made_again(sample_show: Path) -> None:
    first = _renditions(full_build(sample_show, now=FIXED_NOW, guid_mode="refuse").site_dir)
    blobs = list(BuildCache(sample_show).blobs_dir.iterdir())
    assert blobs  # the renditions and icons were kept
    for blob in blobs:
        blob.write_bytes(b"not an image")
    again = _renditions(full_build(sample_show, now=FIXED_NOW, guid_mode="refuse").site_dir)
    assert again == first


def test_new_artwork_in_the_same_file_gets_new_renditions(sample_show: Path) -> None:
    first = _renditions(full_build(sample_show, now=FIXED_NOW, guid_mode="refuse").site_dir)
    art = sample_show / "artwork.jpg"
    out = io.BytesIO()
    Image.new("RGB", (1400, 1400), (20, 120, 200)).save(out, "JPEG", quality=90)
    art.write_bytes(out.getvalue())
    site = full_build(sample_show, now=FIXED_NOW, guid_mode="refuse").site_dir
    again = _renditions(site)
    assert set(again.values()).isdisjoint(first.values())
    r, g, b = Image.open(site / layout.FAVICON_KEY).convert("RGB").getpixel((16, 16))
    assert abs(r - 20) + abs(g - 120) + abs(b - 200) < 8  # the new art (JPEG is lossy)
