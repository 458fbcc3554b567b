"""An endpoint URL's user:pass@ is never shown, whichever setting the URL came from."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from publisher.errors import StoreError
from publisher.publish.run import publish
from publisher.stores.s3 import S3Store
from publisher.stores.s3errors import redact
from tests.support.s3server import PREFIX, Bucket, SeaweedS3, free_ports
from tests.support.sitebuild import make_build

SECRET = "s3cr3t-pa55"


@pytest.mark.parametrize("source", ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "profile"])
def test_userinfo_of_an_endpoint_from_anywhere_is_redacted(
    admin_env: SeaweedS3,
    bucket: Bucket,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    source: str,
) -> None:
    (port,) = free_ports(1)
    shown = f"http://127.0.0.1:{port}"
    url = f"http://ana:{SECRET}@127.0.0.1:{port}"
    if source == "profile":
        config = tmp_path / "aws-config"
        config.write_text(f"[profile pod]\nendpoint_url = {url}\nregion = us-east-1\n")
        monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
        monkeypatch.setenv("AWS_PROFILE", "pod")
    else:
        monkeypatch.setenv(source, url)
    target = replace(bucket.target(), endpoint_url=None)
    build = make_build(tmp_path / "site", target, {"ep1": 100})
    with pytest.raises(StoreError) as e:
        publish(build, store=S3Store(target, max_attempts=1))
    assert str(e.value) == (
        f"s3://{bucket.name}/{PREFIX}/: cannot reach {shown} while checking the bucket "
        "(check the target's endpoint_url (or AWS_ENDPOINT_URL) and the network)"
    )
    assert SECRET not in json.dumps(e.value.as_json())


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://a:b@host.example:9000/x", "https://host.example:9000/x"),
        ("https://a:b@c@host.example", "https://host.example"),
        ("https://token@host.example", "https://host.example"),
        ("https://host.example", "https://host.example"),
        ("http://[x:b@host", "<the endpoint URL>"),
    ],
)
def test_redact(url: str, shown: str) -> None:
    assert redact(url) == shown
