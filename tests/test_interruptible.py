"""Ctrl-C reaches a main thread that waits on workers, whichever thread the kernel gave it to.

Each case runs in a child process whose main thread blocks SIGINT, so the kernel must deliver
the signal to the one worker that does not (blocked in a socket read, as an upload waits on a
server). Python then runs the handler only when the main thread next runs bytecode: an untimed
wait never does (the control case), the waits of ``publisher.interruptible`` do."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest

from publisher import interruptible

SETUP = textwrap.dedent("""
    import concurrent.futures, os, signal, socket, threading
    from publisher import interruptible

    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    ready = threading.Event()
    a, b = socket.socketpair()

    def worker():
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        ready.set()
        a.recv(1)  # never answered: the only thread that can take the signal

    stuck = threading.Thread(target=worker, daemon=True)
    stuck.start()
    ready.wait()
    threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    cond = threading.Condition()
    never = concurrent.futures.Future()
    try:
""")

WAITS = {
    "wait_until": "with cond: interruptible.wait_until(cond, lambda: False)",
    "result": "interruptible.result(never)",
    "join": "interruptible.join(stuck)",
    "map_threads": "list(interruptible.map_threads(lambda _: a.recv(1), [1, 2], 2))",
    "meanwhile": "with interruptible.meanwhile(a.recv, 1) as f: interruptible.result(f)",
}

END = textwrap.dedent("""
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        os._exit(0)
""")


def run(wait: str, timeout: float) -> subprocess.CompletedProcess[str]:
    code = SETUP + "    " + wait + "\n" + END
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.parametrize("name", sorted(WAITS))
def test_ctrl_c_interrupts_the_wait(name: str) -> None:
    done = run(WAITS[name], timeout=30)
    assert done.stdout == "interrupted\n", done.stderr


def test_an_untimed_wait_is_not_interrupted() -> None:
    """The control: the same signal, and a plain ``Condition.wait()`` sleeps on (the bug)."""
    with pytest.raises(subprocess.TimeoutExpired):
        run("with cond: cond.wait()", timeout=3)


def test_meanwhile_runs_beside_the_body_and_is_not_waited_for_on_leaving() -> None:
    release = threading.Event()
    with interruptible.meanwhile(lambda x: x * 2, 21) as doubled:
        assert interruptible.result(doubled) == 42
    with pytest.raises(ValueError), interruptible.meanwhile(release.wait) as held:
        raise ValueError  # leaves at once: the held call is abandoned, not joined
    assert not held.done()
    release.set()
