"""The words of an import's end: the summary (counts, every mapping, everything left out,
every warning) and the steps to announce the move (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from publisher.importer.model import ImportReport


def summary_lines(report: ImportReport) -> Sequence[str]:
    """The closing summary: counts, then every mapping, everything left out, every warning."""
    plan = report.plan
    drafts = sum(1 for n in plan.notes if n.draft)
    lines = [
        ("would import" if report.dry_run else "imported")
        + f" {len(plan.notes)} episode(s) ({drafts} as drafts)"
        + (f"; {plan.already_here} already here" if plan.already_here else "")
        + f"; {len(report.mappings)} mapping(s) made; {len(report.left_out)} left out",
    ]
    if not report.dry_run:
        lines.append(
            f"downloaded {report.downloaded} file(s), {report.downloaded_bytes} bytes"
            + (f"; {len(report.failed)} failed" if report.failed else "")
        )
        if report.remote:
            lines.append(
                f"{len(report.remote)} episode(s) publish the old host's enclosure as given"
            )
    for title, changes in (
        ("mapped", report.mappings),
        ("left out", report.left_out),
        ("warning", report.warnings),
        ("download failed", report.failed),
    ):
        lines.extend(f"  {title}: {c}" for c in changes)
    return lines


def move_steps(report: ImportReport) -> Sequence[str]:
    """What to do next to move the subscribers (docs/moving.md has the details)."""
    old = report.plan.old_feed_url or "the old feed's URL"
    return (
        "to move the subscribers (docs/moving.md):",
        "  1. publisher check, then publisher publish --to <your target>, and confirm it with "
        "publisher verify --to <your target>",
        f"  2. on the old host, redirect {old} to your new feed URL with a 301, or set its "
        "'new feed URL' (itunes:new-feed-url) to it",
        "  3. keep the old feed redirecting (or carrying itunes:new-feed-url) for at least four "
        "weeks; Apple Podcasts, Spotify and Podcast Index follow it",
        f"  4. keep podcast_guid: {report.plan.podcast_guid} and every episode's guid and date "
        "as they are",
    )
