"""The build in a child process (publisher.build.apart): its Build is the build, sent as soon
as it is complete; its errors come back as they went, anything else is no result; stopped,
it unwinds; never forked among threads. Each case runs in a fresh interpreter
(tests/support/apart_cases.py): pytest's own threads would rightly stop the fork."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import select
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from publisher.build import apart
from tests.support.paths import ROOT
from tests.support.procs import processes
from tests.support.show import copy_show


def run_case(case: str, folder: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.apart_cases", case, str(folder)],
        capture_output=True, text=True, timeout=300, cwd=ROOT, env=dict(os.environ),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # the child says nothing of its own
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_the_childs_build_is_the_build(tmp_path: Path) -> None:
    copy_show(tmp_path / "show")
    got = run_case("same", tmp_path)
    # all but the count of files written: this build wrote none
    assert got == {"differ": [], "files": got["files"], "own_group": True}
    assert got["files"] > 20


def test_the_build_is_sent_before_the_child_has_finished(tmp_path: Path) -> None:
    copy_show(tmp_path / "show")
    # then it yields the cores to the publish while it writes the caches
    got = run_case("early", tmp_path)
    assert got == {"build": True, "running": True, "nicer": apart.NICER, "gone": True}


def test_errors_come_back_as_they_went_and_anything_else_is_no_result(tmp_path: Path) -> None:
    got = run_case("errors", tmp_path)
    several, one = got.pop("several"), got.pop("one")
    assert several[0] == "Problems" and several[2] is True
    assert "feed_config.yaml:3: unknown field 'tilte' (did you mean 'title')" in several[1]
    assert "n.md:1: no audio for this note" in several[1]
    assert one == ["EpisodeError", "n.md:2: bad date", True]
    assert got == {"unpicklable": None, "bug": None, "crash": None}


def test_a_stopped_child_unwinds_and_ends(tmp_path: Path) -> None:
    copy_show(tmp_path / "show")
    assert run_case("stop", tmp_path) == {
        "building": {"unwound": True, "gone": True},
        "received": True,
        "sent": {"unwound": True, "gone": True},
        "callers": True,
    }


def test_no_child_among_threads(tmp_path: Path) -> None:
    assert run_case("threads", tmp_path) == {"started": False}


def test_a_terminal_that_stops_background_writers_does_not_stop_the_child(
    tmp_path: Path,
) -> None:
    copy_show(tmp_path / "show")
    answer = tmp_path / "answer.json"
    main, side = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.apart_cases", "tostop", str(tmp_path), str(answer)],
        stdin=side, stdout=side, stderr=side, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    os.close(side)
    said = b""
    while True:  # what it writes, read as it comes (a full terminal would hold it)
        if not select.select([main], [], [], 120)[0]:  # bounds a broken run only
            _kill_session(proc.pid)  # the stopped child too, in a group of its own
            pytest.fail(f"stopped on the terminal; it said {said!r}")
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the terminal closed: every process on it has ended
            break
        if not chunk:
            break
        said += chunk
    os.close(main)
    assert proc.wait(timeout=120) == 0, said
    assert b"a library's warning" in said
    assert json.loads(answer.read_text()) == {"build": True}


def _kill_session(sid: int) -> None:
    """SIGKILL every process of session ``sid``."""
    for proc in processes():
        if proc.session == sid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
