"""Shared fixtures: the sample show copied to a temporary folder, and a fixed "now"."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXED_NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
SHOW_PARTS = ("feed_config.yaml", "artwork.jpg", "episodes", "show_notes")


def copy_show(dest: Path) -> Path:
    """Copy the sample show (config, artwork, episodes, notes) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in SHOW_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part)
        else:
            shutil.copy2(src, dest / part)
    return dest


@pytest.fixture
def sample_show(tmp_path: Path) -> Path:
    """A private copy of the sample show that a test may change."""
    return copy_show(tmp_path / "show")


@pytest.fixture
def fixed_now() -> dt.datetime:
    return FIXED_NOW
