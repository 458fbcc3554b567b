"""One golden build: the sample show at a fixed time, against the checked-in expected copy.

Regenerate after an intended change with: UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
and review the diff of tests/golden/ like code.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from publisher import build
from tests.support.paths import ROOT
from tests.support.show import FIXED_NOW, copy_show

GOLDEN = Path(__file__).parent / "golden"


def test_sample_show_matches_golden_copy(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    result = build.build(show, now=FIXED_NOW, guid_mode="refuse")
    # Pagefind's search bundle is a third-party program's output (its bytes change with its
    # version); the browser tests check that search works.
    built = {f.key: f for f in result.files if not f.key.startswith("pagefind/")}
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for key, f in built.items():
            dest = GOLDEN / (key + ".sha256" if _binary(f.kind, key) else key)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(f.sha256.encode() if _binary(f.kind, key) else f.path.read_bytes())
    expected = {
        str(p.relative_to(GOLDEN)).removesuffix(".sha256") for p in GOLDEN.rglob("*") if p.is_file()
    }
    assert set(built) == expected
    for key, f in built.items():
        if f.kind == "media":
            assert f.sha256 == (GOLDEN / f"{key}.sha256").read_text()
            source = ROOT / "episodes" / Path(key).name
            assert f.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
        elif _binary(f.kind, key):
            assert f.sha256 == (GOLDEN / f"{key}.sha256").read_text(), f"{key} differs from golden"
        else:
            assert f.path.read_bytes() == (GOLDEN / key).read_bytes(), f"{key} differs from golden"
    # The sample notes carry their GUIDs: building never edits a tracked file.
    for part in ("feed_config.yaml", "show_notes"):
        src, copy = ROOT / part, show / part
        files = [src] if src.is_file() else sorted(src.rglob("*"))
        for s in files:
            if s.is_file():
                c = copy / s.relative_to(src) if src.is_dir() else copy
                assert s.read_bytes() == c.read_bytes()


def _binary(kind: str, key: str) -> bool:
    """Media and images are compared by their SHA-256 (kept in ``<key>.sha256``)."""
    return kind == "media" or key.endswith((".jpg", ".png"))
