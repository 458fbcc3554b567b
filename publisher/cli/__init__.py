"""The command line: arguments -> one library call -> output; the only place that prints."""

from publisher.cli.commands import main

__all__ = ["main"]
