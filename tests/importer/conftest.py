"""Fixtures of the import tests: tiny real media (made once per session) and a loopback
HTTP server per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.httpserver import Server, serving
from tests.support.media import Media, make_media


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> Media:
    return make_media(tmp_path_factory.mktemp("media"))


@pytest.fixture
def server() -> Iterator[Server]:
    with serving() as s:
        yield s
