"""``publisher serve --port`` other than the public URL's: the feed served points elsewhere,
so serve says so (one warning naming both ports and the fix)."""

from __future__ import annotations

from pathlib import Path

from publisher import build
from publisher.publish import run as deploy
from tests.support.child import Child
from tests.support.s3server import free_ports
from tests.support.show import FIXED_NOW


def published(show: Path, port: int) -> Path:
    config = show / "feed_config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("127.0.0.1:8000", f"127.0.0.1:{port}"), encoding="utf-8")
    deploy.publish(build.build(show, now=FIXED_NOW, guid_mode="refuse"))
    return show


def serve(show: Path, *args: str) -> list[str]:
    """What serve printed on stderr; it is stopped once it says it is serving."""
    child = Child(show, "serve", *args)
    assert child.proc.stdout is not None
    first = child.proc.stdout.readline()  # printed once the port is bound
    child.interrupt()
    code, out, lines = child.finish()
    assert code == 0 and first.startswith("Serving ") and out.strip() == "stopped", (first, out)
    return lines


def test_another_port_than_the_public_urls_is_warned(sample_show: Path) -> None:
    public, other = free_ports(2)
    lines = serve(published(sample_show, public), "--port", str(other))
    assert len(lines) == 1
    assert lines[0].startswith("feed_config.yaml:")  # the target's line
    assert f"warning: serving on port {other}, but the feed's enclosures" in lines[0]
    assert f"point at port {public} (http://127.0.0.1:{public}/" in lines[0]
    assert f"set this target's public_url to http://127.0.0.1:{other}/" in lines[0]


def test_the_public_urls_port_is_not_warned(sample_show: Path) -> None:
    (public,) = free_ports(1)
    assert serve(published(sample_show, public)) == []
