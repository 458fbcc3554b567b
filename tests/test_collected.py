"""Every test module under tests/ is collected by the suite's own command: pytest's default
``norecursedirs`` once left tests/build/ out unseen (folders named "build" are skipped)."""

from __future__ import annotations

import subprocess
import sys

from tests.support.paths import ROOT


def test_every_test_module_is_collected() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    collected = {line.split("::")[0] for line in done.stdout.splitlines() if "::" in line}
    modules = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "tests").rglob("test_*.py")
        if "node_modules" not in p.parts
    }
    assert modules - collected == set()
    assert "tests/build/test_incremental.py" in collected
