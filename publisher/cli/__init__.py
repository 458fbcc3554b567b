"""The command line: arguments -> one library call -> output; the only place that prints.

``arguments`` parses, ``commands`` holds one function per subcommand, ``output`` formats the
result (text, or ``--format json``), ``progress`` shows a publish as it runs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from publisher.build.heap import collect_less
from publisher.cli.arguments import parser
from publisher.cli.interrupt import exit_now_if_threads_linger
from publisher.cli.output import Printer
from publisher.errors import PublisherError, PublishStopped

__all__ = ["entry", "main"]

EXIT_OK, EXIT_PROBLEMS, EXIT_INTERRUPTED = 0, 1, 130  # argparse exits 2 on usage errors
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a killed pipe writer


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = parser().parse_args(argv)
    # check, status, verify and serve write nothing (serve --drafts builds a preview)
    out = Printer(args.format, read_only=args.read_only and not getattr(args, "drafts", False))
    try:
        args.run(args, out)
    except PublishStopped as e:  # the first Ctrl-C: stopped at a safe point
        out.failed(e)
        return EXIT_INTERRUPTED
    except PublisherError as e:
        out.failed(e)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print("interrupted; run the same command again to finish", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader of our output went away (`| head`): stop quietly, as Unix tools do;
        # Python would otherwise complain again while flushing stdout at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    return EXIT_OK if out.ok else EXIT_PROBLEMS


def entry() -> int:
    """The program, as both ``publisher`` and ``python -m publisher`` run it: :func:`main`,
    then, after an abort, leave without joining the worker threads of an abandoned transfer
    (the interpreter would wait for them at exit, and a second Ctrl-C would seem ignored).
    A process that runs one command: the cyclic collector runs less often (heap.collect_less)."""
    collect_less()
    code = main()
    exit_now_if_threads_linger(code)
    return code
