"""Run the ``publisher`` command as a producer would: a subprocess, at a fixed "now"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

NOW = "2026-11-25T12:00:00+00:00"


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None, now: str = NOW
) -> subprocess.CompletedProcess[str]:
    """``python -m publisher ARGS`` in ``cwd`` with stdin closed (not a terminal) and CI unset."""
    full_env = {**os.environ, "PUBLISHER_NOW": now}
    full_env.pop("CI", None)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "publisher", *args],
        cwd=cwd,
        env=full_env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
    )
