"""``publisher import``: a host's feed -> a show folder that ``check`` accepts.

read (the feed) -> map (pure: :mod:`.mapping`) -> fetch (media, art, extras) -> write (config
and notes). A dry run stops after mapping. ``update`` adds the items published since, by GUID,
and fetches the audio of notes that still publish the old host's file; it changes nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from publisher import artwork, layout
from publisher.audio import read_audio
from publisher.config.show import CONFIG_NAME
from publisher.episodes.pairing import AUDIO_EXTENSIONS, EPISODES_DIR, NOTES_DIR
from publisher.errors import PublisherError
from publisher.importer import download, legacy, mapping, write
from publisher.importer.existing import Existing
from publisher.importer.model import Change, Fetch, ImportPlan, ImportReport, NotePlan
from publisher.importer.read import read_feed
from publisher.importer.source import existing_show, old_feed_url_of, read_source, source_missing

Events = Callable[[download.Event], None]


def import_show(
    source: str | None,
    root: Path,
    *,
    dry_run: bool = False,
    update: bool = False,
    keep_remote: bool = False,
    old_feed_url: str | None = None,
    events: Events | None = None,
    workers: int = 4,
) -> ImportReport:
    """Import the feed at ``source`` (a URL or a file) into the show folder ``root``.

    Raises PublisherError: a folder that holds a show already (without ``update``), a feed
    that cannot be read, an old feed URL that cannot be told.
    """
    existing = existing_show(root, update=update)
    source = source or existing.imported_from
    if not source:
        raise source_missing(root, update=update)
    channel = read_feed(read_source(source), source)
    old = old_feed_url_of(source, old_feed_url or existing.imported_from, channel.self_url)
    plan = mapping.map_feed(
        channel, old_feed_url=old, taken_stems=existing.stems, known_guids=existing.guids
    )
    if dry_run:
        return ImportReport(
            plan,
            str(root),
            True,
            mappings=plan.mappings,
            left_out=plan.left_out,
            warnings=plan.warnings,
        )
    return _Import(root, plan, keep_remote=keep_remote, update=update, events=events).run(
        existing, workers
    )


class _Import:
    """Fetch and write one plan; collects what the summary reports."""

    def __init__(
        self,
        root: Path,
        plan: ImportPlan,
        *,
        keep_remote: bool,
        update: bool,
        events: Events | None,
    ) -> None:
        self.root, self.plan, self.keep_remote, self.update = root, plan, keep_remote, update
        self.events = events
        self.mappings = list(plan.mappings)
        self.left_out = list(plan.left_out)
        self.warnings = list(plan.warnings)
        self.failed: list[Change] = []
        self.remote: list[str] = []
        self.written: list[str] = []

    def warn(self, where: str, text: str) -> None:
        self.warnings.append(Change(where, text))

    def mapped(self, where: str, text: str) -> None:
        self.mappings.append(Change(where, text))

    def run(self, existing: Existing, workers: int) -> ImportReport:
        self.root.mkdir(parents=True, exist_ok=True)
        fetches = [f for f in self._fetches(existing) if not self._have(f)]
        results = download.download_all(fetches, self.root, workers=workers, events=self.events)
        got = {r.fetch.dest: r for r in results}
        for r in results:
            if r.error is not None:
                self.failed.append(Change(r.fetch.stem or "channel", f"{r.fetch.url}: {r.error}"))
        config = dict(self.plan.config)
        if self.plan.artwork is not None and not self.update:
            config["artwork"] = self._show_art(got.get(self.plan.artwork.dest))
        for note in self.plan.notes:
            self._note(note, got)
        for stem, url in existing.remote if not self.keep_remote else ():
            self._replace_remote(stem, url, got)
        if not self.update:
            text = write.config_text(list(config.items()), self.plan.source)
            write.write_text(self.root, CONFIG_NAME, text)
            self.written.append(CONFIG_NAME)
        done = [r for r in results if r.error is None]
        return ImportReport(
            self.plan,
            str(self.root),
            False,
            tuple(self.written),
            len(done),
            sum(r.size for r in done),
            tuple(self.remote),
            tuple(self.failed),
            tuple(self.mappings),
            tuple(self.left_out),
            tuple(self.warnings),
        )

    def _fetches(self, existing: Existing) -> list[Fetch]:
        fetches: list[Fetch] = []
        if self.plan.artwork is not None and not self.update:
            fetches.append(self.plan.artwork)
        for note in self.plan.notes:
            if not self.keep_remote:
                fetches.append(_audio_fetch(note))
            fetches.extend(note.extras)
        if not self.keep_remote:
            for stem, url in existing.remote:
                ext = _extension(url)
                media = legacy.split_prefix(url)[1]
                fetches.append(Fetch(media, f"{EPISODES_DIR}/{stem}.{ext}", "audio", stem))
        return fetches

    def _have(self, fetch: Fetch) -> bool:
        """Already fetched by an earlier run (a rerun downloads only what is missing)."""
        dest = self.root / fetch.dest
        if fetch.kind in ("image", "artwork"):
            return any(dest.with_name(f"{dest.name}.{e}").exists() for e in ("jpg", "png"))
        if fetch.kind == "audio":
            stem = dest.name.partition(".")[0]
            return any((dest.parent / f"{stem}.{e}").exists() for e in AUDIO_EXTENSIONS)
        return dest.exists()

    def _show_art(self, result: download.Result | None) -> str:
        found = [p for p in (self.root / "artwork.jpg", self.root / "artwork.png") if p.exists()]
        if result is None or result.path is None:
            return found[0].name if found else "artwork.jpg"
        data = result.path.read_bytes()
        name = f"artwork.{artwork.extension(data)}"
        result.path.replace(self.root / name)
        self.written.append(name)
        problems = artwork.problems(data, None)
        if problems:
            self.warnings.append(
                Change(
                    "channel",
                    f"show artwork {'; '.join(problems)}: kept as {name}; replace "
                    "it before publishing [C-03]",
                )
            )
        return name

    def _note(self, note: NotePlan, got: dict[str, download.Result]) -> None:
        remote, duration = None, None
        if self.keep_remote:
            remote, duration = note.enclosure, note.duration
            self.remote.append(note.stem)
        else:
            measured = self._settle_audio(note, got.get(_audio_fetch(note).dest))
            if measured is None:
                remote, duration = note.enclosure, note.duration
                self.remote.append(note.stem)
        if remote is not None and remote.length is None:
            length = download.content_length(remote.url)
            if length is None:
                self.left_out.append(
                    Change(
                        note.stem,
                        "not imported: the feed gives no enclosure "
                        "length and the server does not say; import it "
                        "without --keep-remote-media",
                    )
                )
                self.remote.remove(note.stem)
                return
            self.mappings.append(
                Change(
                    note.stem,
                    f"enclosure length: none in the feed; {length}, as the server reports [I-02]",
                )
            )
            remote = replace(remote, length=length)
        if remote is not None and duration is None:
            self.mapped(note.stem, "no readable duration in the feed: no itunes:duration until "
                        "the audio is in episodes/ [I-08]")  # fmt: skip
        if remote is not None:
            measured = float(duration) if duration else None
        for extra in note.extras:
            self._settle_extra(extra, got.get(extra.dest), measured)
        name = f"{NOTES_DIR}/{note.stem}.md"
        write.write_text(self.root, name, write.note_text(note, remote, duration))
        self.written.append(name)

    def _settle_audio(self, note: NotePlan, result: download.Result | None) -> float | None:
        """The duration of the episode's audio when it is there and ``check`` accepts it, else
        None (the note then keeps the old host's enclosure, and the reason is listed)."""
        dest = self.root / _audio_fetch(note).dest
        if result is not None and result.path is None:
            return None  # named once, with its URL and reason, in the report's failed
        if result is None:  # fetched by an earlier run
            earlier = next(
                (p for e in AUDIO_EXTENSIONS if (p := dest.with_suffix("." + e)).exists()), dest
            )
            found = _readable_audio(earlier)
            return None if isinstance(found, PublisherError) else found[1]
        found = _readable_audio(dest)
        if isinstance(found, PublisherError):
            dest.unlink(missing_ok=True)
            self.warn(
                note.stem,
                f"the downloaded audio is refused ({found.message}): the note "
                "keeps the old host's enclosure as given",
            )
            return None
        path, seconds = found
        if path != dest:
            self.mapped(
                note.stem,
                f"the file is {path.suffix[1:].upper()} audio, not "
                f"{note.extension.upper()}: saved as {path.name}",
            )
        size = path.stat().st_size
        if note.enclosure.length != size:
            given = note.enclosure.length if note.enclosure.length is not None else "none"
            self.mappings.append(
                Change(
                    note.stem,
                    f"enclosure length {given} in the feed -> {size}, the real size [I-02]",
                )
            )
        self.written.append(f"{EPISODES_DIR}/{path.name}")
        return seconds

    def _settle_extra(
        self, fetch: Fetch, result: download.Result | None, duration: float | None
    ) -> None:
        if result is None or result.path is None:
            return
        path, stem = result.path, fetch.stem or "?"
        data = path.read_bytes()
        if fetch.kind == "image":
            problems = artwork.problems(data, None)
            if problems:
                path.unlink()
                self.left_out.append(
                    Change(
                        stem,
                        f"episode image {'; '.join(problems)}: left out "
                        "(the show's art is used) [I-10]",
                    )
                )
                return
            final = path.with_name(f"{path.name}.{artwork.extension(data)}")
            path.replace(final)
            self.written.append(f"{EPISODES_DIR}/{final.name}")
            return
        try:
            text = data.decode("utf-8-sig")
            parsed = json.loads(text) if fetch.kind == "chapters" else None
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            path.unlink()
            self.left_out.append(Change(stem, f"{fetch.kind} {fetch.url}: unreadable ({e})"))
            return
        if fetch.kind == "chapters":
            if duration is None:
                path.unlink()
                self.left_out.append(Change(stem, "chapters: left out, as the feed gives no "
                                            "duration to check them against [I-15]"))  # fmt: skip
                return
            cleaned, dropped, late = mapping.clean_chapters(parsed, duration)
            if late:
                self.mapped(stem, f"chapters: {late} starting after the audio's end dropped [I-15]")
            if dropped or late:
                path.write_text(json.dumps(cleaned, ensure_ascii=False, indent=2) + "\n", "utf-8")
            if dropped:
                path.write_text(json.dumps(cleaned, ensure_ascii=False, indent=2) + "\n", "utf-8")
                self.mappings.append(
                    Change(stem, f"chapters: {dropped} link(s) that were not https dropped [D-04]")
                )
        self.written.append(f"{EPISODES_DIR}/{path.name}")

    def _replace_remote(self, stem: str, url: str, got: dict[str, download.Result]) -> None:
        """--update: a note that published the old host's file gets its audio, and loses its
        enclosure/duration lines once the audio is there and readable."""
        ext = _extension(url)
        dest = self.root / EPISODES_DIR / f"{stem}.{ext}"
        result = got.get(f"{EPISODES_DIR}/{stem}.{ext}")
        if result is None or result.path is None:
            return
        found = _readable_audio(dest)
        if isinstance(found, PublisherError):
            dest.unlink(missing_ok=True)
            self.warnings.append(
                Change(
                    stem,
                    f"the downloaded audio is refused ({found.message}): "
                    "the note keeps the old host's enclosure",
                )
            )
            return
        path = found[0]
        note = self.root / NOTES_DIR / f"{stem}.md"
        note.write_text(write.drop_remote(note.read_text("utf-8")), "utf-8", newline="\n")
        self.mappings.append(Change(stem, f"the old host's file is now {EPISODES_DIR}/{path.name}"))
        self.written.append(f"{EPISODES_DIR}/{path.name}")


def _audio_fetch(note: NotePlan) -> Fetch:
    dest = f"{EPISODES_DIR}/{note.stem}.{note.extension}"
    return Fetch(note.media_url, dest, "audio", note.stem, note.enclosure.length)


def _readable_audio(dest: Path) -> tuple[Path, float] | PublisherError:
    """``dest`` and its duration when our audio reader accepts it (renamed to the other
    accepted extension when that is what it holds); else the reader's error."""
    try:
        return dest, read_audio(dest).duration
    except PublisherError as first:
        for ext in AUDIO_EXTENSIONS:
            other = dest.with_suffix("." + ext)
            if other == dest or not dest.exists():
                continue
            dest.replace(other)
            try:
                return other, read_audio(other).duration
            except PublisherError:
                other.replace(dest)
        return first


def _extension(url: str) -> str:
    """The extension the old host's audio at ``url`` is saved with: its path's, MP3 unless M4A."""
    return "m4a" if layout.media_name(url).lower().endswith(".m4a") else "mp3"
