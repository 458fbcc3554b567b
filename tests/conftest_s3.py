"""Fixtures for the S3 tests (load with ``pytest_plugins = ["conftest_s3"]``).

One SeaweedFS server per session; a fresh bucket per test; credentials only through the
environment (the AWS credential chain), with nothing leaking in from the developer's own.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from mypy_boto3_s3 import S3Client
from s3server import Identity, SeaweedS3

from publisher.model import Build, Target
from publisher.plan import manifest_of, manifest_to_json

PREFIX = "show"


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    server = SeaweedS3(tmp_path_factory.mktemp("seaweedfs"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def use_credentials(mp: pytest.MonkeyPatch, who: Identity, tmp_path: Path) -> None:
    """Credentials for the standard chain, and nothing from the real environment."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            mp.delenv(name)
    mp.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    mp.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
    mp.setenv("AWS_ACCESS_KEY_ID", who.access_key)
    mp.setenv("AWS_SECRET_ACCESS_KEY", who.secret_key)
    mp.setenv("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture
def admin_env(seaweed: SeaweedS3, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> SeaweedS3:
    use_credentials(monkeypatch, seaweed.admin, tmp_path)
    return seaweed


@dataclass(frozen=True)
class Bucket:
    name: str
    server: SeaweedS3

    @property
    def client(self) -> S3Client:
        return self.server.client()

    def target(self, endpoint: str | None = None, public_url: str | None = None) -> Target:
        """An s3 target for this bucket under ``show/``, path-style, public via the S3 port."""
        return Target(
            name="s3",
            kind="s3",
            location=f"s3://{self.name}/{PREFIX}",
            public_url=public_url or f"{self.server.endpoint}/{self.name}/{PREFIX}/",
            endpoint_url=endpoint or self.server.endpoint,
            region="us-east-1",
            addressing_style="path",
        )

    def state(self) -> dict[str, tuple[str, int, str, str]]:
        """key -> (sha256 of the body, size, Content-Type, Cache-Control) under the prefix."""
        c = self.client
        out: dict[str, tuple[str, int, str, str]] = {}
        for page in c.get_paginator("list_objects_v2").paginate(
            Bucket=self.name, Prefix=PREFIX + "/"
        ):
            for obj in page.get("Contents", []):
                got = c.get_object(Bucket=self.name, Key=obj["Key"])
                body = got["Body"].read()
                out[obj["Key"][len(PREFIX) + 1 :]] = (
                    hashlib.sha256(body).hexdigest(),
                    len(body),
                    got.get("ContentType", ""),
                    got.get("CacheControl", ""),
                )
        return out


@pytest.fixture
def bucket(seaweed: SeaweedS3) -> Bucket:
    name = "pod-" + secrets.token_hex(5)
    seaweed.client().create_bucket(Bucket=name)
    return Bucket(name, seaweed)


def expected_state(build: Build) -> dict[str, tuple[str, int, str, str]]:
    """What a clean publish of ``build`` leaves in the bucket (bar the lock)."""
    from publisher.stores.s3 import META_CACHE_CONTROL, cache_control

    out = {
        f.key: (f.sha256, f.size, f.content_type, cache_control(f)) for f in build.files
    }
    manifest = manifest_to_json(manifest_of(build.files))
    out[".publisher/manifest.json"] = (
        hashlib.sha256(manifest).hexdigest(),
        len(manifest),
        "application/json",
        META_CACHE_CONTROL,
    )
    return out
