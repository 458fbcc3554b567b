"""Output read by a pipe that closes early (``publisher … | head``): no traceback."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from publisher.cli import main


def test_a_closed_pipe_ends_the_command_quietly(
    sample_show: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone, as `head` does once it has its lines
    saved = os.dup(1)
    try:
        with capsys.disabled(), os.fdopen(write_end, "w", closefd=False) as pipe:
            monkeypatch.setattr(sys, "stdout", pipe)
            status = main(["check", "--format", "json", "--show", str(sample_show)])
    finally:
        os.dup2(saved, 1)  # main() points fd 1 at /dev/null; give pytest its stdout back
        os.close(saved)
        os.close(write_end)
    assert status == 141
