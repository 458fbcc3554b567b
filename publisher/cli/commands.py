"""One function per subcommand: read the arguments, call the library once, print the result."""

from __future__ import annotations

import argparse
import functools
import os
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from publisher import clock, config, episodes, layout, weburl
from publisher.cli.interrupt import first_ctrl_c_stops
from publisher.cli.output import Printer, import_fields, publish_fields
from publisher.cli.progress import DownloadProgress, PublishProgress
from publisher.errors import Notice, PublisherError, display_path
from publisher.model import Build, Target

if TYPE_CHECKING:
    from publisher.publish.report import PublishReport


def check(args: argparse.Namespace, out: Printer) -> None:
    """``publisher check``: read and render everything; write nothing."""
    from publisher import build

    checked = build.check(
        _root(args),
        now=clock.now(args.now),
        target=ad_hoc_target(args),
        target_name=_named(args),
        guid_mode="refuse" if _in_ci(args) else "ignore",
        use_cache=not args.no_cache,
    )
    out.notice(checked.notices)
    out.done(
        f"ok: {checked.show.title}: {checked.episodes} episode"
        f"{'' if checked.episodes == 1 else 's'} in the feed, {checked.pages} "
        f"pages, feed for {checked.target.feed_url}",
        episodes=checked.episodes,
        pages=checked.pages,
        feed_url=checked.target.feed_url,
    )


def build(args: argparse.Namespace, out: Printer) -> None:
    """``publisher build``: write the site into a build folder."""
    from publisher import build as stage

    result = stage.build(
        _root(args),
        now=clock.now(args.now),
        out_dir=Path(args.out) if args.out else None,
        target=ad_hoc_target(args),
        target_name=_named(args),
        guid_mode="preview" if args.drafts else _guid_mode(args),
        drafts=args.drafts,
        use_cache=not args.no_cache,
    )
    out.notice(result.notices)
    feed = result.file(layout.FEED_KEY)
    out.done(
        f"built {len(result.files)} files into {display_path(result.site_dir)}"
        + (f" ({result.written} written)" if result.written is not None else "")
        + f" for {result.target.public_url} (feed: {display_path(feed.path)})",
        site_dir=str(result.site_dir),
        files=len(result.files),
        written=result.written,
    )


def publish(args: argparse.Namespace, out: Printer) -> None:
    """``publisher publish``: build for a target, then upload what changed."""
    from publisher import build as stage
    from publisher.publish import early

    build = functools.partial(
        stage.build,
        _root(args),
        now=clock.now(args.now),
        target=ad_hoc_target(args),
        target_name=_named(args),
        guid_mode=_guid_mode(args),
        use_cache=not args.no_cache,
    )
    lock = not (args.dry_run or args.break_lock)  # none to take; one to break: once built
    with early.built_and_read_ahead(build, _early_target(args), lock=lock) as ahead:
        from publisher.publish import run  # here: the build's child is not kept waiting for it

        result, store, held = ahead
        out.notice(result.notices)
        with PublishProgress(quiet=out.json) as progress, first_ctrl_c_stops() as stop:
            report = run.publish(
                result,
                dry_run=args.dry_run,
                prune_media=args.prune_media,
                break_lock=args.break_lock,
                verify=not args.no_verify,
                verify_all=args.verify_all,
                events=progress.event,
                allow_removal=args.allow_removal,
                delete_stale_now=args.delete_stale_now,
                stale_grace=_stale_grace(args, result.target),
                stop=stop,
                store=store,
                held=held,
            )
    for ep in report.removed:
        out.line(
            f"  remove  episode '{ep.title}' (guid {ep.guid})"
            + ("  (would be refused without --allow-removal)" if args.dry_run else "")
        )
    out.notice(_notify(_root(args), result, report))
    if args.dry_run or args.verbose:
        for a in report.plan.actions:
            if a.op != "keep" or a.status == "stale" or args.verbose:
                out.line(f"  {a.op:<7} {a.key}  ({a.status}: {a.reason})")
    for a in report.deleted if not args.dry_run else ():
        out.line(f"  deleted {a.key}  ({a.reason})")
    out.done(report.summary(), **publish_fields(report))
    target = result.target
    if target.kind == "local" and not args.dry_run:
        host = weburl.host(target.public_url)
        if _named(args) is None and ad_hoc_target(args) is None and host.startswith("127."):
            out.line(
                "preview: publisher serve, then open "
                f"{layout.url(target.public_url, layout.INDEX_KEY)} (feed: {target.feed_url})"
            )


def _notify(root: Path, result: Build, report: PublishReport) -> tuple[Notice, ...]:
    """Tell the WebSub hub and the publish-notify endpoint, when the feed changed; returns
    what happened as Notice values (a failure is a warning, never a failed publish)."""
    from publisher.publish import notify

    if report.dry_run or not any(a.key == layout.FEED_KEY for a in report.uploaded):
        return ()
    show = config.load(root.resolve())
    return notify.send(notify.pings(show, result.target.feed_url))


def verify(args: argparse.Namespace, out: Printer) -> None:
    """``publisher verify``: fetch the public feed and what it names as a podcast app would,
    and compare each published object with the target's manifest."""
    from publisher.publish import verify as stage
    from publisher.stores import open_store

    target = ad_hoc_target(args) or _load_target(args)
    published: tuple[stage.Check, ...] = ()
    try:
        store = open_store(target)
        published = stage.manifest_checks(store.read_manifest(), store.location)
    except PublisherError as e:
        out.notice([Notice(f"not compared with the manifest: {e}", None)])
    try:
        report = stage.verify(target.feed_url, published=published)
    except PublisherError as e:
        if target.kind == "local" and e.hint and stage.PUBLIC_URL_HINT in e.hint:
            e.hint = e.hint.replace(
                stage.PUBLIC_URL_HINT,
                "a local target is only reachable while 'publisher serve' runs; start it first",
            )
        raise
    out.done(report.summary(), checks=len(report.checks), feed_url=report.feed_url)


def serve(args: argparse.Namespace, out: Printer) -> None:
    """``publisher serve``: serve the local target on its public URL until Ctrl-C."""
    from publisher import serve as stage

    target = _load_target(args)
    if target.kind != "local":
        raise PublisherError(
            f"target {target.name!r} is not a local folder; serve shows a local target",
            None,
            None,
            "publish --to a local target first",
        )
    public = weburl.parse(target.public_url)
    # Serve on this machine: the public URL's host when it is a loopback address, else
    # 127.0.0.1 (a CDN's name is not this machine's).
    public_host = public.host if public is not None else ""
    host = args.host or (public_host if public_host.startswith("127.") else "127.0.0.1")
    port = (
        args.port if args.port is not None else ((public.port if public else None) or 8000)
    )  # 0: any free port
    root = Path(target.location)
    if args.drafts:
        root = _drafts_preview(args, target, out)
    if not (root / layout.FEED_KEY).exists():
        raise PublisherError(
            f"nothing published in {display_path(root)} yet",
            None,
            None,
            "run 'publisher publish' first",
        )
    server = stage.make_server(root, host, port)  # bind first: then the URL printed is live
    url = f"http://{host}:{server.server_address[1]}/"
    out.notice(_port_mismatch(target, host, int(server.server_address[1])))
    try:  # from the line that says Ctrl-C stops it, Ctrl-C stops it cleanly
        out.done(
            f"Serving {display_path(root)} at {url} (Ctrl-C to stop); feed: {layout.feed_url(url)}",
            url=url,
            feed_url=layout.feed_url(url),
        )
        server.serve_forever()
    except KeyboardInterrupt:
        out.line("stopped")
    finally:
        server.server_close()


def _port_mismatch(target: Target, host: str, port: int) -> list[Notice]:
    """A warning when the port served is not the public URL's: every enclosure, image and
    link in the feed and pages served points at the public URL's port, not this server."""
    public = weburl.parse(target.public_url)
    if public is None:
        return []
    expected = public.port or (443 if public.scheme == "https" else 80)
    if port == expected:
        return []
    return [
        Notice(
            f"serving on port {port}, but the feed's enclosures and the pages' links point at "
            f"port {expected} ({target.public_url}, target {target.name!r})",
            target.source,
            target.line,
            hint=f"serve without --port, or set this target's public_url to "
            f"http://{host}:{port}/ and publish again",
        )
    ]


def _drafts_preview(args: argparse.Namespace, target: Target, out: Printer) -> Path:
    """Build the show with drafts and scheduled episodes for ``target``'s URL into
    .publisher/drafts-preview (never published) and return that folder."""
    from publisher import build as stage

    show = _root(args).resolve()
    folder = show / ".publisher" / "drafts-preview"
    result = stage.build(
        show,
        now=clock.now(args.now),
        out_dir=folder,
        target=target,
        guid_mode="preview",
        drafts=True,
    )
    out.notice(result.notices)
    return folder


def new(args: argparse.Namespace, out: Printer) -> None:
    """``publisher new``: scaffold a note for a new episode."""
    show = config.load(_root(args))
    made = episodes.new_note(show, args.title, args.date or clock.now(args.now), args.slug)
    out.line(f"created {display_path(made.note)}")
    out.done(
        f"put the audio at {display_path(made.audio_stem)}.mp3 (or .m4a), "
        "then run: publisher check",
        note=display_path(made.note),
        audio=[display_path(made.audio_stem) + "." + fmt for fmt in layout.AUDIO_FORMATS],
    )


def import_show(args: argparse.Namespace, out: Printer) -> None:
    """``publisher import``: a show's feed on any host -> a show folder here; the summary,
    then the steps to announce the move. Downloads that failed leave the rest imported, are
    named, and make the command exit 1 (``--update`` finishes them)."""
    from publisher.importer import import_show as stage
    from publisher.importer import move_steps, summary_lines

    with DownloadProgress(quiet=out.json) as progress:
        report = stage(
            args.source,
            _root(args),
            dry_run=args.dry_run,
            update=args.update,
            keep_remote=args.keep_remote_media,
            old_feed_url=args.old_feed_url,
            events=progress.event,
        )
    out.listed(Notice(str(w)) for w in report.warnings)  # the summary lists them
    lines = [*summary_lines(report)]
    if not report.dry_run and not args.update:
        lines.extend(move_steps(report))
    failed: tuple[PublisherError, ...] = ()
    if report.failed:
        failed = (
            PublisherError(
                f"{len(report.failed)} download(s) failed; the rest is imported",
                None,
                None,
                f"run 'publisher import --update --show {args.show}' to finish them",
            ),
        )
    out.done("\n".join(lines), failed, **import_fields(report))


# --- helpers ----------------------------------------------------------------------------


def _root(args: argparse.Namespace) -> Path:
    return Path(args.show)


def _named(args: argparse.Namespace) -> str | None:
    to: str | None = getattr(args, "to", None)
    return None if to is None or _is_location(to) else to


def _is_location(to: str) -> bool:
    return to.startswith("s3://") or "/" in to


def ad_hoc_target(args: argparse.Namespace) -> Target | None:
    """A target named on the command line (``--to s3://bucket/prefix --public-url URL``), or
    None for a target of feed_config.yaml. Raises PublisherError for a half-given one."""
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
    if not weburl.is_http(public_url):
        raise PublisherError(
            f"--public-url {public_url!r} is not an http(s) URL",
            None,
            None,
            "e.g. https://cdn.example.org/show/; a host in [brackets] must be an IPv6 address",
        )
    return config.make_target(
        "command line",
        to,
        public_url,
        Path.cwd(),
        endpoint_url=getattr(args, "endpoint_url", None),
        region=getattr(args, "region", None),
    )


def _early_target(args: argparse.Namespace) -> Target | None:
    """The target a publish will build for, known before the build (None when the config
    cannot say: the build reports why)."""
    try:
        found = ad_hoc_target(args)
        return found or config.find_target(config.load(_root(args).resolve()), _named(args))
    except PublisherError:
        return None


def _load_target(args: argparse.Namespace) -> Target:
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


def _guid_mode(args: argparse.Namespace) -> episodes.GuidMode:
    """refuse in CI; on a dry run, mint in memory; else write missing GUIDs into the files."""
    if _in_ci(args):
        return "refuse"
    return "preview" if getattr(args, "dry_run", False) else "write"


def _stale_grace(args: argparse.Namespace, target: Target) -> timedelta:
    """``--stale-grace`` (hours), else the target's ``stale_grace_hours``, else one day."""
    from publisher.publish.plan import STALE_GRACE

    hours = getattr(args, "stale_grace", None)
    if hours is None:
        hours = target.stale_grace_hours
    return STALE_GRACE if hours is None else timedelta(hours=hours)
