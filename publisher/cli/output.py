"""How results look: plain text for people, or one JSON object for machines.

Text goes to stdout, notices and problems to stderr, as each comes. With ``--format json``
nothing is printed until the end, and then one object on stdout::

    {"ok": bool, "problems": [...], "warnings": [...], "info": [...], ...the command's fields}

where each problem, warning and info is ``{"path", "line", "rule", "message", "hint"}``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from publisher.errors import Notice, Problems, PublisherError

if TYPE_CHECKING:
    from publisher.importer.model import Change, ImportReport
    from publisher.publish.plan import Action
    from publisher.publish.report import PublishReport


class Printer:
    """The one printer of a command's run, in ``text`` or ``json`` format."""

    def __init__(self, fmt: str, *, read_only: bool = False) -> None:
        self.json = fmt == "json"
        self.read_only = read_only  # a command that never writes: its problems say nothing of it
        self.notices: list[Notice] = []
        self.ok = True  # False once done() reported problems: the command exits 1

    def notice(self, notices: Iterable[Notice]) -> None:
        """Things the producer should know: printed now (text) or kept for the end (json)."""
        for n in notices:
            self.notices.append(n)
            if not self.json:
                print(n, file=sys.stderr)

    def listed(self, notices: Iterable[Notice]) -> None:
        """Notices the command's text output lists itself (an import's summary): kept for
        the JSON object's warnings and info, not printed apart."""
        self.notices.extend(notices)

    def line(self, text: str) -> None:
        """A line of a command's own text output (not shown with --format json)."""
        if not self.json:
            print(text, flush=True)

    def done(self, text: str, problems: Sequence[PublisherError] = (), **fields: Any) -> None:
        """The command's result: ``text`` for people, or the JSON object with ``fields``.
        ``problems`` are those of a run that finished anyway (e.g. downloads that failed while
        the rest was written): printed after ``text``, and the command then exits 1."""
        self.ok = not problems
        if self.json:
            print(json.dumps(self.shape(self.ok, problems, fields), indent=2), flush=True)
            return
        print(text, flush=True)
        for p in problems:
            print(f"error: {p}" if p.path is None else str(p), file=sys.stderr)

    def failed(self, e: PublisherError) -> None:
        """Every problem of ``e`` (one line each on stderr), after the warnings the run had
        found (``e.notices``), or the JSON object."""
        self.notice(e.notices)
        problems = e.problems if isinstance(e, Problems) else (e,)
        if self.json:
            print(json.dumps(self.shape(False, problems, {}), indent=2))
            return
        for p in problems:
            print(f"error: {p}" if p.path is None else str(p), file=sys.stderr)
        if len(problems) > 1:
            written = "" if self.read_only else "; nothing was written"
            print(f"{len(problems)} problems found{written}", file=sys.stderr)

    def shape(
        self, ok: bool, problems: Iterable[PublisherError], fields: dict[str, Any]
    ) -> dict[str, Any]:
        """The one JSON shape of every command's result."""
        return {
            "ok": ok,
            "problems": [p.as_json() for p in problems],
            "warnings": [n.as_json() for n in self.notices if n.warning],
            "info": [n.as_json() for n in self.notices if not n.warning],
            **fields,
        }


def publish_fields(report: PublishReport) -> dict[str, Any]:
    """A publish report's own JSON fields."""

    def action(a: Action) -> dict[str, Any]:
        return {"key": a.key, "op": a.op, "status": a.status, "reason": a.reason}

    return {
        "location": report.location,
        "dry_run": report.dry_run,
        "uploaded": [action(a) for a in report.uploaded],
        "deleted": [action(a) for a in report.deleted],
        "kept": [action(a) for a in report.kept],
        "bytes_uploaded": report.bytes_uploaded,
        "removed": [{"guid": ep.guid, "title": ep.title} for ep in report.removed],
        "lock_note": report.lock_note,  # a lock taken over or broken; held (a dry run)
        "verification": None
        if report.verification is None
        else [
            {"url": c.url, "what": c.what, "ok": c.ok, "detail": c.detail}
            for c in report.verification.checks
        ],
        "summary": report.summary(),
    }


def import_fields(report: ImportReport) -> dict[str, Any]:
    """An import report's own JSON fields (its warnings are the printer's notices)."""

    def changes(items: Iterable[Change]) -> list[dict[str, str]]:
        return [{"where": c.where, "text": c.text} for c in items]

    return {
        "dry_run": report.dry_run,
        "episodes": [n.stem for n in report.plan.notes],
        "podcast_guid": report.plan.podcast_guid,
        "imported_from": report.plan.old_feed_url,
        "enclosure_prefix": report.plan.enclosure_prefix,
        "downloaded": report.downloaded,
        "downloaded_bytes": report.downloaded_bytes,
        "remote": list(report.remote),
        "mappings": changes(report.mappings),
        "left_out": changes(report.left_out),
        "failed": changes(report.failed),
    }
