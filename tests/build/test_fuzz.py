"""Fuzzed inputs through ``check``'s library path: a mutated config, front matter,
bibliography (BibTeX, CSL-JSON, CSL-YAML), MP3 or M4A is either fine or a PublisherError
(one line per problem) - never another exception (a traceback for the producer) and never a
hang. Seeded and bounded: the same cases every run, a few seconds in all;
``PUBLISHER_FUZZ_CASES=500`` runs more of them."""

from __future__ import annotations

import os
import random
import signal
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

import pytest

from publisher import build
from publisher.errors import PublisherError
from tests.support.fuzz import mutate_bytes, mutate_text, small_show
from tests.support.show import FIXED_NOW

CASES = int(os.environ.get("PUBLISHER_FUZZ_CASES", "4"))  # per input
SECONDS = 20.0  # per case: a check takes ~0.2 s; more than this is a hang
NOTE = "show_notes/2026-09-15-red-flags.md"


class Hang(Exception):
    pass


RNG = [random.Random(0)]
OP: list[int | None] = [None]  # the first case of a text breaks a URL; then any edit


def _text(data: bytes) -> bytes:
    return mutate_text(RNG[0], data.decode(), op=OP[0]).encode("utf-8", "surrogatepass")


def _front_matter(data: bytes) -> bytes:
    text = data.decode()
    end = text.index("\n---", 4)
    return mutate_text(RNG[0], text, 4, end, op=OP[0]).encode("utf-8", "surrogatepass")


# input -> (the show's bibliography format, the file, how to mutate its bytes)
INPUTS: dict[str, tuple[str, str, Callable[[bytes], bytes]]] = {
    "config": ("bib", "feed_config.yaml", _text),
    "front matter": ("bib", NOTE, _front_matter),
    "bibtex": ("bib", "show_notes/refs.bib", _text),
    "csl-json": ("json", "show_notes/refs.json", _text),
    "csl-yaml": ("yaml", "show_notes/refs.yaml", _text),
    "mp3": ("bib", "episodes/2026-09-01-imaging-without-pain.mp3",
            lambda b: mutate_bytes(RNG[0], b)),
    "m4a": ("bib", "episodes/2026-09-15-red-flags.m4a", lambda b: mutate_bytes(RNG[0], b)),
}  # fmt: skip


@pytest.fixture(scope="module")
def shows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("fuzz")
    return {fmt: small_show(root / fmt, fmt) for fmt in ("bib", "json", "yaml")}


@pytest.fixture
def time_bound() -> Iterator[None]:
    def expire(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"a case took over {SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expire)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def outcome(show: Path) -> str | None:
    """None when ``check`` succeeded or raised a PublisherError; else what went wrong."""
    signal.setitimer(signal.ITIMER_REAL, SECONDS)
    try:
        build.check(show, now=FIXED_NOW)
    except PublisherError:
        return None
    except Exception as e:  # noqa: BLE001 - a traceback the producer would see
        return "".join(traceback.format_exception(e)[-3:])
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return None


@pytest.mark.parametrize("name", list(INPUTS))
def test_fuzzed_input_is_fine_or_a_publisher_error(
    name: str, shows: dict[str, Path], time_bound: None
) -> None:
    fmt, rel, mutate = INPUTS[name]
    show = shows[fmt]
    path = show / rel
    original = path.read_bytes()
    assert outcome(show) is None  # the unmutated show checks
    RNG[0] = random.Random(f"{name}:{CASES}")
    failures = []
    try:
        for case in range(CASES):
            OP[0] = 5 if case == 0 else None
            mutated = mutate(original)
            path.write_bytes(mutated)
            problem = outcome(show)
            if problem is not None:
                failures.append(f"{name} case {case}: {problem}")
    finally:
        path.write_bytes(original)
    assert failures == []
