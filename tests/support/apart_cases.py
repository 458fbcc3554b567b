"""Cases of publisher.build.apart, each run in a fresh interpreter (pytest's own threads would
stop the fork): ``python -m tests.support.apart_cases CASE FOLDER``; prints one JSON object."""

from __future__ import annotations

import functools
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from publisher import build as stage
from publisher.build import apart
from publisher.errors import ConfigError, EpisodeError, Problems, PublisherError
from publisher.model import Build
from tests.support.show import FIXED_NOW, full_build


def _build(show: Path) -> Callable[..., Build]:
    return functools.partial(stage.build, show, now=FIXED_NOW, guid_mode="ignore")


def _wait_for(path: Path) -> None:
    while not path.exists():
        time.sleep(0.01)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def same(folder: Path) -> dict[str, Any]:
    """The child's Build is the build: as this process finds it when built again."""
    building = apart.start(_build(folder / "show"))
    assert building is not None and building._pid is not None
    own_group = os.getpgid(building._pid) != os.getpgid(0)
    sent = building.result()
    building.finish()
    again = full_build(folder / "show", now=FIXED_NOW, guid_mode="ignore")  # here, unchanged
    differ = [f for f in _FIELDS if getattr(sent, f, None) != getattr(again, f)]
    return {"differ": differ, "files": len(again.files), "own_group": own_group}


_FIELDS = ("site_dir", "target", "files", "enclosures", "notices", "drafts", "guids")


def early(folder: Path) -> dict[str, Any]:
    """The Build comes before the child has finished: it is sent as soon as it is complete."""
    flag = folder / "flag"

    def build(built: Callable[[Build], None]) -> Build:
        result = _build(folder / "show")()
        built(result)
        _wait_for(flag)  # the caches and record, as long as the test wants
        return result

    building = apart.start(build)
    assert building is not None and building._pid is not None
    pid = building._pid
    sent = building.result()
    running = os.waitpid(pid, os.WNOHANG)[0] == 0
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    deadline = time.monotonic() + 30  # bounds a broken run only: it is set as the pipe closes
    while os.getpriority(os.PRIO_PROCESS, pid) == ours and time.monotonic() < deadline:
        time.sleep(0.01)
    nicer = os.getpriority(os.PRIO_PROCESS, pid) - ours
    flag.write_text("go")
    building.finish()
    return {
        "build": isinstance(sent, Build),
        "running": running,
        "nicer": nicer,
        "gone": _gone(pid),
    }


def _raising(error: BaseException) -> Callable[..., Build]:
    def build(built: Callable[[Build], None]) -> Build:
        raise error

    return build


class _Unpicklable(PublisherError):
    def __init__(self) -> None:
        super().__init__("cannot cross a pipe")
        self.callback = lambda: None  # pickle refuses a lambda


def errors(folder: Path) -> dict[str, Any]:
    """A build's error comes back as it went; one that cannot, and a crash, send nothing."""
    found: dict[str, Any] = {}
    several = Problems(
        [
            ConfigError(
                "unknown field 'tilte'", folder / "feed_config.yaml", 3, "did you mean 'title'"
            ),
            EpisodeError("no audio for this note", folder / "n.md", 1),
        ]
    )
    for name, error in (("several", several), ("one", EpisodeError("bad date", "n.md", 2))):
        building = apart.start(_raising(error))
        assert building is not None
        try:
            building.result()
            found[name] = None
        except PublisherError as e:
            found[name] = [type(e).__name__, str(e), str(e) == str(error)]
        building.finish()

    def crash(built: Callable[[Build], None]) -> Build:
        os._exit(3)

    for name, build in (
        ("unpicklable", _raising(_Unpicklable())),
        ("bug", _raising(RuntimeError("a bug"))),
        ("crash", crash),
    ):
        building = apart.start(build)
        assert building is not None
        found[name] = building.result()
        building.finish()
    return found


def stop(folder: Path) -> dict[str, Any]:
    """Stopped, the child's build unwinds as at Ctrl-C (its clean-up runs), then ends; so
    too once it has sent its Build (writing the caches). Never does the child come back into
    the caller's code."""
    found: dict[str, Any] = {}
    callers = folder / "callers"
    for when in ("building", "sent"):
        started, unwound = folder / f"started-{when}", folder / f"unwound-{when}"

        def build(
            built: Callable[[Build], None],
            when: str = when,
            started: Path = started,
            unwound: Path = unwound,
        ) -> Build:
            try:
                if when == "sent":
                    built(_build(folder / "show")())
                started.write_text("")
                while True:
                    time.sleep(0.01)
            finally:
                unwound.write_text("")

        building = apart.start(build)
        with callers.open("a") as f:  # the caller's code, after start: this process only
            f.write(f"{os.getpid()}\n")
        assert building is not None and building._pid is not None
        pid = building._pid
        _wait_for(started)
        if when == "sent":
            found["received"] = isinstance(building.result(), Build)
        building.stop()
        found[when] = {"unwound": unwound.exists(), "gone": _gone(pid)}
    found["callers"] = callers.read_text().split() == [str(os.getpid())] * 2
    return found


def threads(folder: Path) -> dict[str, Any]:
    """Among other threads, no fork: the caller builds itself."""
    release = threading.Event()
    worker = threading.Thread(target=release.wait)
    worker.start()
    try:
        return {"started": apart.start(_build(folder / "show")) is not None}
    finally:
        release.set()
        worker.join()


def tostop(folder: Path) -> dict[str, Any]:
    """On a terminal set to stop background writers (``stty tostop``), the child, in a group
    of its own, still writes a warning and sends its Build. Run with the terminal as stdio."""
    import termios

    terminal = os.open(os.ttyname(0), os.O_RDWR)  # a session leader: now its terminal
    attrs = termios.tcgetattr(terminal)
    attrs[3] |= termios.TOSTOP
    termios.tcsetattr(terminal, termios.TCSANOW, attrs)

    def build(built: Callable[[Build], None]) -> Build:
        print("a library's warning", file=sys.stderr, flush=True)
        return _build(folder / "show")()

    building = apart.start(build)
    assert building is not None
    sent = building.result()
    building.finish()
    return {"build": isinstance(sent, Build)}


CASES = {f.__name__: f for f in (same, early, errors, stop, threads, tostop)}

if __name__ == "__main__":
    answer = json.dumps(CASES[sys.argv[1]](Path(sys.argv[2])))
    if len(sys.argv) > 3:  # stdout is a terminal: the answer goes to this file
        Path(sys.argv[3]).write_text(answer)
    else:
        print(answer)
