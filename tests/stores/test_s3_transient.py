"""A transient network fault during an upload is retried with backoff and the publish completes."""

from __future__ import annotations

import math
from pathlib import Path

from publisher.publish.events import Event, FileProgress
from publisher.publish.run import publish
from tests.support.s3server import Bucket, CuttingProxy, SeaweedS3, expected_state
from tests.support.sitebuild import make_build


class BlipProxy(CuttingProxy):
    """Drops every open connection once, after ``cut_after`` bytes, then forwards normally."""

    blips = 0

    def _cut_all(self) -> None:
        if self.blips:
            return super()._cut_all()  # close() at the end
        self.blips += 1
        super()._cut_all()
        self.cut_after = math.inf  # type: ignore[assignment]
        self.cut.clear()
        return None


def test_connection_dropped_once_mid_upload_is_retried(
    admin_env: SeaweedS3, bucket: Bucket, tmp_path: Path
) -> None:
    proxy = BlipProxy(admin_env.ports["s3.port"], cut_after=2_000_000)
    try:
        build = make_build(tmp_path / "site", bucket.target(endpoint=proxy.endpoint),
                           {"ep1": 20_000, "ep2": 9_000_000})  # fmt: skip
        events: list[Event] = []
        report = publish(build, verify=False, events=events.append)
    finally:
        proxy.close()
    assert proxy.blips == 1  # the connection really was cut mid-upload
    assert {a.key for a in report.uploaded} == {f.key for f in build.files}
    assert bucket.state() == expected_state(build)
    # A retried request's bytes are not counted twice (s3transfer rewinds its progress when
    # a body is sent again), so the totals end exact rather than over-counted.
    sent = [e for e in events if isinstance(e, FileProgress) and e.key == "media/ep2.mp3"]
    assert sent[-1].sent == 9_000_000
    assert max(e.total_sent for e in events if isinstance(e, FileProgress)) <= sum(
        f.size for f in build.files
    )
