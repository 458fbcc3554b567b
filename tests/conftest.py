"""Shared fixtures: the sample show in a temporary folder, a fixed "now", and one SeaweedFS
server per session (started only when a test asks for it) with a fresh bucket per test;
credentials only through the environment (the AWS credential chain), with nothing leaking in
from the developer's own."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import tools
from tests.support.httpserver import Server, serving
from tests.support.media import Media, make_media
from tests.support.s3server import Bucket, SeaweedS3, use_credentials
from tests.support.show import FIXED_NOW, copy_show


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "needs_tool(available, reason): needs an outside tool")


def pytest_runtest_setup(item: pytest.Item) -> None:
    tools.apply(item)


@pytest.fixture
def sample_show(tmp_path: Path) -> Path:
    """A private copy of the sample show that a test may change."""
    return copy_show(tmp_path / "show")


@pytest.fixture
def fixed_now() -> dt.datetime:
    return FIXED_NOW


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    server = SeaweedS3(tmp_path_factory.mktemp("seaweedfs"))
    server.start()
    try:
        yield server
    finally:
        server.stop(graceful=False)


@pytest.fixture
def admin_env(seaweed: SeaweedS3, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> SeaweedS3:
    use_credentials(monkeypatch, seaweed.admin, tmp_path)
    return seaweed


@pytest.fixture
def bucket(seaweed: SeaweedS3) -> Bucket:
    name = "pod-" + secrets.token_hex(5)
    seaweed.client().create_bucket(Bucket=name)
    return Bucket(name, seaweed)


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> Media:
    """Tiny real audio (ffmpeg) and artwork (Pillow), made once per session."""
    return make_media(tmp_path_factory.mktemp("media"))


@pytest.fixture
def server() -> Iterator[Server]:
    """A loopback HTTP server (Range, redirects, cut responses) for feeds and media."""
    with serving() as s:
        yield s
