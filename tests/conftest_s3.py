"""Fixtures for the S3 tests (load with ``pytest_plugins = ["conftest_s3"]``).

One SeaweedFS server per session; a fresh bucket per test; credentials only through the
environment (the AWS credential chain), with nothing leaking in from the developer's own.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from s3server import Bucket, SeaweedS3, use_credentials


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
