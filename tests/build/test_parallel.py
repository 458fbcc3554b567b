"""Notes rendered on a process pool: the same bytes as rendered one after another."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from publisher import build
from publisher.build import parallel
from publisher.errors import NotesError, Problems, PublisherError
from tests.support.show import FIXED_NOW
from tests.support.sitefiles import snapshot

SLUG = "2026-09-15-red-flags"


def test_a_pooled_build_is_byte_identical_to_a_serial_one(
    sample_show: Path, tmp_path: Path
) -> None:
    serial = build.build(
        sample_show, now=FIXED_NOW, out_dir=tmp_path / "one", guid_mode="refuse",
        use_cache=False, processes=1,
    )  # fmt: skip
    pooled = build.build(
        sample_show, now=FIXED_NOW, out_dir=tmp_path / "two", guid_mode="refuse",
        use_cache=False, processes=2,
    )  # fmt: skip
    one, two = snapshot(serial.site_dir), snapshot(pooled.site_dir)
    assert len(one) > 40
    assert {k: s.sha256 for k, s in one.items()} == {k: s.sha256 for k, s in two.items()}
    assert serial.files == tuple(
        f.__class__(f.key, serial.site_dir / f.key, f.size, f.sha256, f.content_type, f.kind,
                    f.immutable)
        for f in pooled.files
    )  # fmt: skip


def _square_or_refuse(n: int) -> int:
    if n == 3:
        raise NotesError("three is refused", Path("three.md"), 3, "pick another")
    if n == 5:
        raise Problems([NotesError("five", Path("a.md"), 1), NotesError("again", Path("b.md"), 2)])
    return n * n


def test_problems_cross_from_the_workers_whole_and_in_order() -> None:
    pooled = parallel.render_each(_square_or_refuse, list(range(8)), processes=2)
    serial = parallel.render_each(_square_or_refuse, list(range(8)), processes=1)
    assert [str(x) if not isinstance(x, tuple) else [str(p) for p in x] for x in pooled] == [
        str(x) if not isinstance(x, tuple) else [str(p) for p in x] for x in serial
    ]
    assert pooled[:3] == [0, 1, 4]
    (three,) = pooled[3]  # type: ignore[misc]
    assert (three.path, three.line, three.hint) == (Path("three.md"), 3, "pick another")
    assert [p.message for p in pooled[5]] == ["five", "again"]  # type: ignore[union-attr]


def test_a_broken_note_is_reported_from_a_pooled_build(sample_show: Path) -> None:
    note = sample_show / "show_notes" / f"{SLUG}.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nA claim.[@nosuchkey2020]\n")
    with pytest.raises(NotesError) as info:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse", processes=2)
    assert "unknown citation key 'nosuchkey2020'" in str(info.value)
    assert info.value.path == note


def test_a_broken_template_found_in_a_pooled_build_names_its_file_and_line(
    sample_show: Path,
) -> None:
    override = sample_show / "templates" / "meta.html"
    override.parent.mkdir()
    override.write_text("<p>\n\n{{ view.no_such_thing.x }}\n</p>\n", encoding="utf-8")
    with pytest.raises(PublisherError) as raised:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse", processes=2)
    assert str(raised.value).startswith(f"{override}:3: template error:")


_INTERRUPTED = """
import sys, time
from publisher.build import parallel

def slow(i):
    time.sleep(0.02)
    return i

try:
    for i in parallel.stream(slow, range(400), processes=2):
        if i == 3:
            print("rendering", flush=True)
    print("finished", flush=True)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(130)
"""


def _group(pgid: int) -> list[int]:
    """The processes still in process group ``pgid``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.parametrize("attempt", range(4))  # the race that hung a build took 1 in 4
def test_ctrl_c_while_a_pool_renders_ends_promptly_and_quietly(attempt: int) -> None:
    """A terminal's Ctrl-C goes to every process of the group, the pool's workers included:
    the workers leave it to the process that started them, which stops and ends them. It
    once hung (a worker killed while taking a task held the pool's lock) and printed each
    worker's traceback."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _INTERRUPTED],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().strip() == "rendering"  # the pool is at work
    time.sleep(0.01 * attempt)  # a little later each time: in the midst of other tasks
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal sends it
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("Ctrl-C left the pool hanging")
    assert proc.returncode == 130 and out.strip() == "interrupted", (out, err)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    deadline = time.monotonic() + 10
    while _group(proc.pid) and time.monotonic() < deadline:  # orphans reaped by init
        time.sleep(0.05)
    assert _group(proc.pid) == []  # no worker left behind
