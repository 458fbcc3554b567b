"""Outside tools some tests need (Chromium, Java, Node, SeaweedFS), and how a missing one is
treated: skipped on a developer's machine, a failure when ``CI=true`` (so CI can never turn
green by skipping)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support.paths import NODE_DIR

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VNU = NODE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
PARTYTIME = NODE_DIR / "node_modules" / "podcast-partytime"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def needs(available: bool, reason: str) -> pytest.MarkDecorator:
    """A mark for a test (or ``pytestmark``) that needs an outside tool.

    The conftest hook skips it when ``available`` is false, or fails it when ``CI=true``.
    """
    return pytest.mark.needs_tool(available=available, reason=reason)


needs_chromium = needs(
    CHROMIUM.exists(), "needs Debian's chromium at /usr/bin/chromium (make test installs it)"
)
needs_java_vnu = needs(
    shutil.which("java") is not None and VNU.exists(),
    "needs Java and vnu-jar (npm ci in tests/node; make test does it)",
)
needs_node_partytime = needs(
    shutil.which("node") is not None and PARTYTIME.exists(),
    "needs node and podcast-partytime (npm ci in tests/node; make test does it)",
)


def apply(item: pytest.Item) -> None:
    """Skip or fail ``item`` when a tool its ``needs_tool`` marks name is missing."""
    for mark in item.iter_markers("needs_tool"):
        if mark.kwargs["available"]:
            continue
        reason = mark.kwargs["reason"]
        if in_ci():
            pytest.fail(f"CI=true and a tool is missing: {reason}", pytrace=False)
        pytest.skip(reason)
