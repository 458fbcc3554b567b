"""Small bodies go with their headers: no ``Expect: 100-continue`` round trip for a PUT under
1 MiB (the lock, the manifest, a page, a feed); a larger one still asks first (RFC 9110
§10.1.1). Read from the requests botocore sends to a real SeaweedFS."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from publisher.model import SiteFile
from publisher.stores.s3 import S3Store
from publisher.stores.s3upload import EXPECT_FROM
from tests.support.s3server import Bucket, SeaweedS3

pytestmark = pytest.mark.usefixtures("admin_env")


class Heard:
    def stopping(self) -> bool:
        return False

    def started(self, file: SiteFile) -> None:
        pass

    def progress(self, file: SiteFile, delta: int) -> None:
        pass

    def done(self, file: SiteFile, etag: str | None) -> None:
        pass


def test_only_large_bodies_ask_first(tmp_path: Path, bucket: Bucket, admin_env: SeaweedS3) -> None:
    store = S3Store(bucket.target(admin_env.endpoint))
    sent: dict[str, bytes | None] = {}

    def record(request: object, **_: object) -> None:
        url: str = request.url  # type: ignore[attr-defined]
        headers = request.headers  # type: ignore[attr-defined]
        if request.method == "PUT":  # type: ignore[attr-defined]
            sent[url.split("?")[0].rsplit("/", 1)[-1]] = headers.get("Expect")

    store.client.meta.events.register("before-send.s3", record)
    files = []
    for name, size in (
        ("page.html", 30_000),
        ("edge.xml", EXPECT_FROM - 1),
        ("big.mp3", EXPECT_FROM),
    ):
        path = tmp_path / name
        path.write_bytes(os.urandom(size))
        files.append(SiteFile(name, path, size, "0" * 64, "application/octet-stream", "asset"))
    store.upload(files, Heard())
    version = store.create_lock(b'{"lock": 1}')
    assert version is not None
    store.write_manifest({})
    assert sent.pop("big.mp3") == b"100-continue"
    assert set(sent.values()) == {None}, sent
    assert {"page.html", "edge.xml"} <= sent.keys() and len(sent) == 4  # + lock, manifest
