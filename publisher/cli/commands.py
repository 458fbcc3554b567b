"""The command line: arguments -> one library call -> output; the only place that prints."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from publisher import __version__, clock
from publisher.cli import lifecycle
from publisher.cli.progress import PublishProgress
from publisher.errors import Problems, PublisherError, display_path

EXIT_OK, EXIT_PROBLEMS, EXIT_INTERRUPTED = 0, 1, 130  # argparse exits 2 on usage errors


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = parser().parse_args(argv)
    try:
        result: int = args.run(args)
        return result
    except PublisherError as e:
        _report_problems(e, args)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print("interrupted; run the same command again to finish", file=sys.stderr)
        return EXIT_INTERRUPTED


def _report_problems(e: PublisherError, args: argparse.Namespace) -> None:
    problems = e.problems if isinstance(e, Problems) else (e,)
    if getattr(args, "format", "text") == "json":
        out = [
            {
                "path": str(p.path) if p.path else None,
                "line": p.line,
                "message": p.message,
                "hint": p.hint,
                "text": str(p),
            }
            for p in problems
        ]
        print(json.dumps({"ok": False, "problems": out}, indent=2))
        return
    for p in problems:
        print(f"error: {p}" if p.path is None else str(p), file=sys.stderr)
    if len(problems) > 1:
        print(f"{len(problems)} problems found; nothing was written", file=sys.stderr)


# --- commands ---------------------------------------------------------------------------


def _check(args: argparse.Namespace) -> int:
    from publisher import build

    plan = build.prepare(
        _root(args),
        now=clock.now(args.now),
        target=_ad_hoc(args),
        target_name=_named(args),
        guid_mode="refuse" if _in_ci(args) else "ignore",
        allow_empty=True,
    )
    _notices(plan.notices)
    pages = sum(1 for o in plan.outputs if o.kind == "page")
    _say(
        args,
        f"ok: {plan.show.title}: {len(plan.items)} episodes published, {pages} pages, "
        f"feed for {plan.target.feed_url}",
        {"ok": True, "episodes": len(plan.items)},
    )
    return EXIT_OK


def _build(args: argparse.Namespace) -> int:
    from publisher import build

    out = Path(args.out) if args.out else None
    result = build.build(
        _root(args),
        now=clock.now(args.now),
        out_dir=out,
        target=_ad_hoc(args),
        target_name=_named(args),
        guid_mode="preview" if args.drafts else _guid_mode(args),
        drafts=args.drafts,
    )
    _notices(result.notices)
    feed = result.file("feed.xml")
    _say(
        args,
        f"built {len(result.files)} files into {display_path(result.site_dir)} "
        f"for {result.target.public_url} (feed: {display_path(feed.path)})",
        {"ok": True, "site_dir": str(result.site_dir), "files": len(result.files)},
    )
    return EXIT_OK


def _publish(args: argparse.Namespace) -> int:
    from publisher import build
    from publisher.publish import run as deploy

    root = _root(args)
    target = _ad_hoc(args)
    result = build.build(
        root,
        now=clock.now(args.now),
        target=target,
        target_name=_named(args),
        guid_mode=_guid_mode(args),
    )
    _notices(result.notices)
    with PublishProgress(quiet=args.format == "json") as progress:
        report = deploy.publish(
            result,
            dry_run=args.dry_run,
            prune_media=args.prune_media,
            break_lock=args.break_lock,
            verify=not args.no_verify,
            events=progress.event,
        )
    told = _notify(root, result, report)
    if args.format == "json":
        out = _report_json(report)
        out["notifications"] = [{**n.as_json(), "warning": n.warning} for n in told]
        print(json.dumps(out, indent=2))
        return EXIT_OK
    if args.dry_run or args.verbose:
        for a in report.plan.actions:
            if a.op != "keep" or a.status == "stale" or args.verbose:
                print(f"  {a.op:<7} {a.key}  ({a.status}: {a.reason})")
    for a in report.deleted if not args.dry_run else ():
        print(f"  deleted {a.key}  ({a.reason})")
    print(report.summary())
    for n in told:
        print(n, file=sys.stderr if n.warning else sys.stdout)
    if result.target.kind == "local" and not args.dry_run:
        host = urlsplit(result.target.public_url).hostname or ""
        if _named(args) is None and _ad_hoc(args) is None and host.startswith("127."):
            print(
                f"preview: publisher serve, then open {result.target.public_url}index.html "
                f"(feed: {result.target.feed_url})"
            )
    return EXIT_OK


def _notify(root: Path, result: Any, report: Any) -> tuple[Any, ...]:
    """Tell the WebSub hub and the publish-notify endpoint, when the feed changed; returns
    what happened as Notice values (a failure is a warning, never a failed publish)."""
    from publisher import config
    from publisher.publish import notify

    if report.dry_run or not any(a.key == "feed.xml" for a in report.uploaded):
        return ()
    show = config.load(root.resolve())
    return notify.send(notify.pings(show, result.target.feed_url))


def _verify(args: argparse.Namespace) -> int:
    from publisher.publish import verify

    target = _ad_hoc(args) or _load_target(args)
    try:
        report = verify.verify(target.feed_url)
    except PublisherError as e:
        if target.kind == "local":
            e.hint = "a local target is only reachable while 'publisher serve' runs; start it first"
        raise
    _say(args, report.summary(), {"ok": report.ok, "checks": len(report.checks)})
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from publisher import serve

    target = _load_target(args)
    if target.kind != "local":
        raise PublisherError(
            f"target {target.name!r} is not a local folder; serve shows a local target",
            None,
            None,
            "publish --to a local target first",
        )
    parts = urlsplit(target.public_url)
    # Serve on this machine: the public URL's host when it is a loopback address, else
    # 127.0.0.1 (a CDN's name is not this machine's).
    public_host = parts.hostname or ""
    host = args.host or (public_host if public_host.startswith("127.") else "127.0.0.1")
    port = args.port if args.port is not None else (parts.port or 8000)  # 0: any free port
    root = Path(target.location)
    if args.drafts:
        root = _drafts_preview(args, target)
    if not (root / "feed.xml").exists():
        raise PublisherError(
            f"nothing published in {display_path(root)} yet",
            None,
            None,
            "run 'publisher publish' first",
        )
    server = serve.make_server(root, host, port)  # bind first: then the URL printed is live
    bound_port = server.server_address[1]
    print(
        f"Serving {display_path(root)} at http://{host}:{bound_port}/ (Ctrl-C to stop); "
        f"feed: http://{host}:{bound_port}/feed.xml",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped")
    finally:
        server.server_close()
    return EXIT_OK


def _drafts_preview(args: argparse.Namespace, target: Any) -> Path:
    """Build the show with drafts and scheduled episodes for ``target``'s URL into
    .publisher/drafts-preview (never published) and return that folder."""
    from publisher import build

    show = _root(args).resolve()
    out = show / ".publisher" / "drafts-preview"
    result = build.build(
        show, now=clock.now(args.now), out_dir=out, target=target, guid_mode="preview", drafts=True
    )
    _notices(result.notices)
    return out


def _new(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo

    from publisher import config
    from publisher.episodes.scaffold import new_note

    show = config.load(_root(args))
    today = clock.now(args.now).astimezone(ZoneInfo(show.timezone)).date()
    made = new_note(show, args.title, args.date or today, args.slug)
    print(f"created {display_path(made.note)}")
    print(
        f"put the audio at {display_path(made.audio_stem)}.mp3 (or .m4a), then run: publisher check"
    )
    return EXIT_OK


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-09-15") from None


# --- helpers ----------------------------------------------------------------------------


def _root(args: argparse.Namespace) -> Path:
    return Path(args.show)


def _named(args: argparse.Namespace) -> str | None:
    to: str | None = getattr(args, "to", None)
    return None if to is None or _is_location(to) else to


def _is_location(to: str) -> bool:
    return to.startswith("s3://") or "/" in to


def _ad_hoc(args: argparse.Namespace) -> Any:
    """A target named on the command line (``--to s3://bucket/prefix --public-url URL``)."""
    from publisher import config

    to = getattr(args, "to", None)
    public_url = getattr(args, "public_url", None)
    if to is None or not _is_location(to):
        if public_url:
            raise PublisherError(
                "--public-url goes with --to s3://bucket/prefix or --to FOLDER",
                None,
                None,
                "named targets take it from feed_config.yaml",
            )
        return None
    if not public_url:
        raise PublisherError(
            f"--to {to} needs --public-url",
            None,
            None,
            "the URL apps and listeners use, e.g. https://cdn.example.org/show/",
        )
    if urlsplit(public_url).scheme not in ("http", "https"):
        raise PublisherError(f"--public-url {public_url!r} is not an http(s) URL", None, None)
    return config.make_target(
        "command line",
        to,
        public_url,
        Path.cwd(),
        endpoint_url=getattr(args, "endpoint_url", None),
        region=getattr(args, "region", None),
    )


def _load_target(args: argparse.Namespace) -> Any:
    from publisher import config

    to = getattr(args, "to", None)
    if to is not None and _is_location(to) and getattr(args, "public_url", None) is None:
        raise PublisherError(
            f"--to {to}: this command takes the name of a target in feed_config.yaml",
            None,
            None,
            "add the location as a target there, or use its name",
        )
    return config.find_target(config.load(_root(args).resolve()), _named(args))


def _in_ci(args: argparse.Namespace) -> bool:
    """--ci, or a CI system's CI=true: notes must already carry their GUIDs."""
    return bool(args.ci) or os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _guid_mode(args: argparse.Namespace) -> Any:
    """refuse in CI; on a dry run, mint in memory; else write missing GUIDs into the files."""
    if _in_ci(args):
        return "refuse"
    return "preview" if getattr(args, "dry_run", False) else "write"


def _notices(notices: Sequence[str]) -> None:
    for n in notices:
        print(n, file=sys.stderr)


def _say(args: argparse.Namespace, text: str, data: dict[str, Any]) -> None:
    print(json.dumps(data, indent=2) if args.format == "json" else text)


def _report_json(report: Any) -> dict[str, Any]:
    def action(a: Any) -> dict[str, Any]:
        return {"key": a.key, "op": a.op, "status": a.status, "reason": a.reason}

    return {
        "ok": True,
        "location": report.location,
        "dry_run": report.dry_run,
        "uploaded": [action(a) for a in report.uploaded],
        "deleted": [action(a) for a in report.deleted],
        "kept": [action(a) for a in report.kept],
        "bytes_uploaded": report.bytes_uploaded,
        "summary": report.summary(),
    }


# --- argument parsing -------------------------------------------------------------------


_EXAMPLES = {
    "check": ("publisher check", "publisher check --ci          # in CI: missing GUIDs are errors"),
    "build": ("publisher build", "publisher build --to production --out /tmp/site"),
    "publish": (
        "publisher publish --dry-run            # what would change, and why",
        "publisher publish                      # the default target (the sample: public/)",
        "AWS_PROFILE=podcast publisher publish --to production",
        "publisher publish --to s3://bucket/show --public-url https://cdn.example.org/show/",
    ),
    "verify": ("publisher verify --to production",),
    "serve": ("publisher serve", "publisher serve --port 8080"),
    "new": ('publisher new "Sleep and back pain"', 'publisher new "Sleep" --date 2026-12-01'),
    "init": (
        'publisher init my-show --title "Back to Evidence" --public-url https://podcast.example.org/',
        "publisher init            # asks on a terminal; defaults otherwise",
    ),
    "status": ("publisher status", "publisher status --to production --format json"),
}


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--show",
        default=".",
        metavar="DIR",
        help="the show folder (holds feed_config.yaml); default: here",
    )
    common.add_argument(
        "--now", metavar="TIME", help=f"pretend it is TIME (ISO 8601); also ${clock.ENV}"
    )
    common.add_argument(
        "--format", choices=("text", "json"), default="text", help="json: machine-readable output"
    )
    p = argparse.ArgumentParser(
        prog="publisher",
        description=(
            "Publish an evidence-based podcast: audio + Markdown show notes -> feed, site, storage."
        ),
    )
    p.add_argument("--version", action="version", version=f"publisher {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, run: Callable[[argparse.Namespace], int], help: str) -> Any:
        examples = _EXAMPLES.get(name, ())
        c = sub.add_parser(
            name,
            parents=[common],
            help=help,
            description=help,
            epilog="examples:\n" + "\n".join(f"  {e}" for e in examples) if examples else None,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        c.set_defaults(run=run)
        return c

    def to_option(c: Any, ad_hoc: bool) -> None:
        c.add_argument(
            "--to",
            metavar="TARGET",
            help="a target named in feed_config.yaml"
            + (", or s3://bucket/prefix / a folder with --public-url" if ad_hoc else ""),
        )
        if ad_hoc:
            c.add_argument("--public-url", metavar="URL", help="public base URL for --to s3://…")
            c.add_argument("--endpoint-url", metavar="URL", help="S3-compatible endpoint")
            c.add_argument("--region", help="S3 region")

    c = command("check", _check, "read and validate everything; write nothing")
    to_option(c, True)
    c.add_argument("--ci", action="store_true", help="a note without a guid is an error (CI mode)")
    c = command("build", _build, "write the complete site and feed to _site/")
    to_option(c, True)
    c.add_argument("--out", metavar="DIR", help="build folder (default: _site)")
    c.add_argument(
        "--drafts",
        action="store_true",
        help="a local preview with drafts and scheduled episodes, marked; never published",
    )
    c.add_argument("--ci", action="store_true", help="refuse to write GUIDs into notes (CI mode)")
    c = command("publish", _publish, "build for a target and upload what changed")
    to_option(c, True)
    c.add_argument("--dry-run", action="store_true", help="list what would change, and why")
    c.add_argument(
        "--prune-media", action="store_true", help="also delete media no longer in the feed"
    )
    c.add_argument("--break-lock", action="store_true", help="remove another publish's lock first")
    c.add_argument(
        "--no-verify", action="store_true", help="skip fetching the feed and media afterwards"
    )
    c.add_argument("--ci", action="store_true", help="refuse to write GUIDs into notes (CI mode)")
    c.add_argument("-v", "--verbose", action="store_true", help="list every file's decision")
    c = command("verify", _verify, "fetch the public feed and media as a podcast app would")
    to_option(c, True)
    c = command("serve", _serve, "serve the local target on its public URL (with range requests)")
    to_option(c, False)
    c.add_argument("--host", help="default: the public URL's host")
    c.add_argument("--port", type=int, help="default: the public URL's port")
    c.add_argument(
        "--drafts",
        action="store_true",
        help="build and serve a preview with drafts and scheduled episodes, marked",
    )
    c = command("new", _new, "scaffold show_notes/<date>-<slug>.md for a new episode")
    c.add_argument("title", help="the episode's title")
    c.add_argument("--date", type=_iso_date, help="publication date, YYYY-MM-DD (default: today)")
    c.add_argument("--slug", help="file name without .md (default: <date>-<title words>)")
    lifecycle.add_commands(command, to_option)
    return p
