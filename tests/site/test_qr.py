"""The feed's QR code (publisher.site.qr): segno's code of the feed URL, kept in the build
cache for the same URL, label and segno, so that a build that keeps it neither imports segno
nor encodes again; any other URL, label or segno makes it anew."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import segno

from publisher.filecache import BuildCache
from publisher.site import qr

URL = "https://pod.example/feed.xml"


def _no_segno(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "segno", None)  # importing it now raises ImportError


def test_a_kept_code_is_used_without_segno(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = BuildCache(tmp_path)
    made = qr.qr_svg(URL, "QR code of the feed", cache)
    assert made == qr.qr_svg(URL, "QR code of the feed")  # what it is without a cache
    cache.save()
    _no_segno(monkeypatch)
    again = BuildCache(tmp_path)  # the next build's
    assert qr.qr_svg(URL, "QR code of the feed", again) == made


def test_another_url_label_or_segno_makes_it_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = BuildCache(tmp_path)
    first = qr.qr_svg(URL, "QR code of the feed", cache)
    other = qr.qr_svg("https://pod.example/other.xml", "QR code of the feed", cache)
    assert other != first and other == qr.qr_svg(
        "https://pod.example/other.xml", "QR code of the feed"
    )
    relabelled = qr.qr_svg("https://pod.example/other.xml", "Scan <me>", cache)
    assert 'aria-label="Scan &lt;me&gt;"' in relabelled
    monkeypatch.setattr(qr, "_segno_version", lambda: "0.0-not-" + segno.__version__)
    _no_segno(monkeypatch)
    with pytest.raises(ImportError):  # kept for another segno: made again, so imported
        qr.qr_svg("https://pod.example/other.xml", "Scan <me>", cache)


def test_a_build_that_trusts_no_cache_makes_it_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = BuildCache(tmp_path)
    qr.qr_svg(URL, "QR code of the feed", kept)
    kept.save()
    _no_segno(monkeypatch)
    with pytest.raises(ImportError):  # --no-cache: made again
        qr.qr_svg(URL, "QR code of the feed", BuildCache(tmp_path, use=False))
    assert qr.qr_svg(URL, "QR code of the feed", BuildCache(tmp_path)).startswith("<svg ")
