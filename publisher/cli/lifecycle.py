"""``publisher init`` and ``publisher status``: starting a show, and where each episode stands.

Arguments -> one library call -> output, like every command; prompts only on a terminal.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from publisher import clock
from publisher.cli.output import Printer
from publisher.errors import display_path

_ASKED = (  # flag, the Answers field, the question
    ("title", "title", "Show title"),
    ("author", "author", "Author (shown under the title in apps)"),
    ("owner_name", "owner_name", "Owner's name (for directories)"),
    ("owner_email", "owner_email", "Owner's email (directories verify ownership with it)"),
    ("language", "language", "Language (ISO 639, e.g. en or en-us)"),
    ("category", "category", "Apple category ('Parent' or 'Parent > Sub')"),
    ("public_url", "public_url", "Public https URL, if you have one (Enter: preview only)"),
)


def run_init(args: argparse.Namespace, out: Printer) -> None:
    """Create a show folder from flags, answers typed on a terminal, or the defaults."""
    from publisher import init

    defaults = init.Answers()
    values: dict[str, str] = {}
    interactive = sys.stdin.isatty() and not out.json
    for flag, field, question in _ASKED:
        given = getattr(args, flag)
        if given is None and interactive:
            default = str(getattr(defaults, field))
            typed = input(f"{question} [{default}]: " if default else f"{question}: ").strip()
            given = typed or None
        if given is not None:
            values[field] = given
    created = init.init(Path(args.dir), init.Answers(**values))
    where = display_path(created.root)
    out.line(f"created a show in {where}:")
    for path in created.files:
        out.line(f"  {display_path(path)}")
    if created.podcast_guid:
        out.line(
            f"its podcast:guid is {created.podcast_guid} (from its public URL; never change it)"
        )
    else:
        out.line(
            "no public https URL yet: feeds are previews without a podcast:guid until one is set"
        )
    cd = f"cd {where} && " if where != "." else ""
    out.done(
        f'next: {cd}publisher new "First episode", write the notes, put the audio in episodes/,\n'
        "      then publisher check and publisher publish (replace artwork.jpg before release)",
        **init.as_json(created),
    )


def run_status(args: argparse.Namespace, out: Printer) -> None:
    """Print every episode's state on the target (text or JSON)."""
    from publisher import status
    from publisher.cli.commands import ad_hoc_target

    target = ad_hoc_target(args)  # --to s3://bucket/prefix --public-url URL, as publish takes
    report = status.status(
        Path(args.show),
        now=clock.now(args.now),
        target=target,
        target_name=None if target is not None else args.to,
    )
    out.notice(n for n in report.notices if n.warning)
    if report.unreachable and not out.json:
        print(f"cannot read target {report.target.name!r}: {report.unreachable}", file=sys.stderr)
        print("showing local states only (draft, scheduled, ready)", file=sys.stderr)
    for e in report.episodes:
        date = e.date.date().isoformat() if e.date else "-"
        seconds = int(e.duration + 0.5) if e.duration else 0
        length = f"{seconds // 60}:{seconds % 60:02d}" if e.duration else "-"
        state: str = e.state
        if e.state == "scheduled" and e.date:
            state += f" for {e.date.isoformat()}"
        if e.changes:
            state += ": " + ", ".join(e.changes)
        out.line(f"{date}  {length:>6}  {e.slug}  {e.title!r}  {state}")
    count = len(report.problems)
    out.done(
        f"{len(report.episodes)} episode{'' if len(report.episodes) == 1 else 's'}; "
        f"target {report.target.name!r}"
        + (" (not readable: local states only)" if report.unreachable else "")
        + (
            f"; {count} problem{'' if count == 1 else 's'} below: an episode with one is not listed"
            if count
            else ""
        ),
        report.problems,
        target=report.target.name,
        unreachable=report.unreachable,
        episodes=[_json(e) for e in report.episodes],
    )


def _json(e: Any) -> dict[str, Any]:
    return {
        "slug": e.slug,
        "title": e.title,
        "guid": e.guid,
        "date": e.date.isoformat() if e.date else None,
        "duration": round(e.duration, 3) if e.duration is not None else None,
        "state": e.state,
        "changes": list(e.changes),
    }


def add_commands(command: Callable[..., Any], to_option: Callable[[Any, bool], None]) -> None:
    """Add ``init`` and ``status`` with ``command(name, run, help)`` of the main parser."""
    c = command("init", run_init, "start a new show folder (config, folders, placeholder art)")
    c.add_argument("dir", nargs="?", default=".", metavar="DIR", help="default: here")
    for flag, _, question in _ASKED:
        c.add_argument("--" + flag.replace("_", "-"), help=question.split(" (")[0])
    c = command("status", run_status, "every episode's state on a target, and what changed")
    to_option(c, True)
