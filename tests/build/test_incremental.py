"""Incremental builds (issue 11): a rebuild writes exactly the files whose bytes change.

Each test builds the sample show, changes one input, builds again, and compares inodes and
mtimes of every file of the build folder before and after: a file is written again only when
its bytes change, and the files whose bytes change are exactly those that show the input.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zlib
from importlib import resources
from pathlib import Path

import pytest
import segno

from publisher.build.notecache import decode_entry, encode_entry
from publisher.filecache import CACHE_FILE, FORMAT, BuildCache
from publisher.model import packed_digest
from tests.support.show import FIXED_NOW, full_build
from tests.support.sitefiles import differing, snapshot, written

RED = "2026-09-15-red-flags"
IMAGING = "2026-09-01-imaging-without-pain"
GUIDELINES = "2026-10-01-what-guidelines-advise"
EPISODE_PAGES = {f"episodes/{s}.html" for s in (RED, IMAGING, GUIDELINES)}


class _Rebuild:
    """Build, let the test change the show, build again and tell which files changed."""

    def __init__(self, show: Path) -> None:
        self.show = show
        self.site = full_build(show, now=FIXED_NOW, guid_mode="refuse").site_dir
        self.before = snapshot(self.site)

    def again(self, *, use_cache: bool = True) -> tuple[set[str], set[str]]:
        """(written, differing) keys; the search index's files, named by what they hold,
        left out."""
        self.result = full_build(self.show, now=FIXED_NOW, guid_mode="refuse", use_cache=use_cache)
        self.after = snapshot(self.site)
        return _pages(written(self.before, self.after)), _pages(differing(self.before, self.after))


def _pages(keys: set[str]) -> set[str]:
    return {k for k in keys if not k.startswith("pagefind/")}


def _search(keys: set[str]) -> set[str]:
    return {k for k in keys if k.startswith("pagefind/")}


def test_an_unchanged_rebuild_rewrites_nothing(sample_show: Path) -> None:
    r = _Rebuild(sample_show)
    changed, _ = r.again()
    assert changed == set()
    assert written(r.before, r.after) == set()  # the search index included


def test_a_file_written_again_is_one_whose_bytes_changed(sample_show: Path) -> None:
    r = _Rebuild(sample_show)
    note = sample_show / "show_notes" / f"{RED}.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    r.again()
    assert written(r.before, r.after) == differing(r.before, r.after)


def test_an_edited_note_rewrites_only_what_shows_it(sample_show: Path) -> None:
    r = _Rebuild(sample_show)
    note = sample_show / "show_notes" / f"{RED}.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    changed, bytes_changed = r.again()
    assert changed == bytes_changed == {f"episodes/{RED}.html", "feed.xml"}
    assert _search(written(r.before, r.after))  # the page's text is searched


def _no_qr(*args: object, **kwargs: object) -> None:
    raise AssertionError("a QR code encoded again")


def test_a_rebuild_draws_the_feeds_qr_code_from_the_cache(
    sample_show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = _Rebuild(sample_show)
    svg = re.search(rb"<svg role=\"img\".*?</svg>", (r.site / "index.html").read_bytes(), re.S)
    assert svg is not None
    note = sample_show / "show_notes" / f"{RED}.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    monkeypatch.setattr(segno, "make", _no_qr)  # not encoded again: taken from the cache
    changed, _ = r.again()
    assert f"episodes/{RED}.html" in changed  # a page with the code, rendered again
    assert svg.group(0) in (r.site / "episodes" / f"{RED}.html").read_bytes()


def test_a_rebuild_in_a_new_process_neither_imports_segno_nor_reads_metadata(
    sample_show: Path,
) -> None:
    full_build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    note = sample_show / "show_notes" / f"{RED}.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    script = (
        "import sys, datetime as dt; from pathlib import Path; import publisher.build as b; "
        f"b.build(Path({str(sample_show)!r}), now=dt.datetime.fromisoformat({FIXED_NOW.isoformat()!r}), "
        "guid_mode='refuse'); print(sorted({'segno', 'importlib.metadata'} & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split("\n")[-2] == "[]", done.stdout  # ~25 ms and ~40 ms of imports


def test_same_size_audio_copied_over_with_its_mtime_kept(sample_show: Path) -> None:
    """``cp -p``: the same inode, the same size and mtime; only the ctime tells."""
    r = _Rebuild(sample_show)
    audio = sample_show / "episodes" / f"{IMAGING}.mp3"
    other = _retitled(audio, sample_show / "other.mp3")
    shutil.copy2(other, audio)  # into the same inode, then the mtime set back
    assert audio.stat().st_mtime_ns == other.stat().st_mtime_ns
    changed, bytes_changed = r.again()
    _corrected_audio_is_republished(r, audio, changed, bytes_changed)


def test_same_size_audio_renamed_over_with_its_mtime_kept(sample_show: Path) -> None:
    """``rsync -t``: a new inode renamed over the old name, size and mtime as before."""
    r = _Rebuild(sample_show)
    audio = sample_show / "episodes" / f"{IMAGING}.mp3"
    mtime = audio.stat().st_mtime_ns
    other = _retitled(audio, sample_show / "episodes" / ".incoming.tmp")
    os.utime(other, ns=(mtime, mtime))
    os.replace(other, audio)
    changed, bytes_changed = r.again()
    _corrected_audio_is_republished(r, audio, changed, bytes_changed)


def _retitled(audio: Path, dest: Path) -> Path:
    """A copy of ``audio`` of the same size with one letter of its ID3 title changed."""
    data = bytearray(audio.read_bytes())
    at = data.index(b"I\x00m\x00a\x00g")  # "Imag…", UTF-16LE in the TIT2 frame
    data[at] = ord("J")
    dest.write_bytes(bytes(data))
    st = audio.stat()
    os.utime(dest, ns=(st.st_atime_ns, st.st_mtime_ns))
    return dest


def test_an_edited_bibliography_entry_rewrites_the_notes_that_cite_it(sample_show: Path) -> None:
    r = _Rebuild(sample_show)
    bib = sample_show / "show_notes" / "references.bib"
    text = bib.read_text(encoding="utf-8")
    start = text.index("@article{henschke2013,")  # cited by the red-flags notes only
    end = text.index("\n}", start)
    entry = text[start:end]
    edited = re.sub(r"(\btitle\s*=\s*\{)", r"\1Revisited: ", entry, count=1)
    assert edited != entry
    bib.write_text(text[:start] + edited + text[end:], encoding="utf-8")
    changed, bytes_changed = r.again()
    expected = {f"episodes/{RED}.html", "feed.xml"}
    expected |= {f"references/{RED}.{ext}" for ext in ("bib", "json", "ris")}
    assert changed == bytes_changed == expected


def test_a_cached_note_is_used_while_its_inputs_hold(sample_show: Path) -> None:
    r = _Rebuild(sample_show)
    (stored,) = [
        p
        for p in (sample_show / ".publisher" / "notes").iterdir()
        if decode_entry(p.read_bytes())[0]["source"].endswith(f"{RED}.md")
    ]

    def mark(digest_too: bool) -> None:  # the cached web rendering, edited
        header, (web, content, description) = decode_entry(stored.read_bytes())
        text = zlib.decompress(web).decode("utf-8")
        web = zlib.compress(text.replace("</p>", " MARKER-FROM-THE-CACHE</p>", 1).encode())
        if digest_too:
            header["digest"] = packed_digest((web, content, description))
        stored.write_bytes(encode_entry(header, (web, content, description)))

    def page() -> str:
        return (r.site / f"episodes/{RED}.html").read_text(encoding="utf-8")

    mark(digest_too=False)  # not the bytes it hashed: damaged, a miss, rendered again
    r.again()
    assert "MARKER-FROM-THE-CACHE" not in page()
    assert "MARKER-FROM-THE-CACHE" not in zlib.decompress(
        decode_entry(stored.read_bytes())[1][0]
    ).decode("utf-8")  # and stored again
    mark(digest_too=True)
    (sample_show / "show_notes" / f"{RED}.md").touch()  # past the unchanged-build shortcut
    r.again()
    assert "MARKER-FROM-THE-CACHE" in page()  # trusted: its inputs are unchanged
    r.again(use_cache=False)
    assert "MARKER-FROM-THE-CACHE" not in page()  # --no-cache trusts nothing


def test_a_changed_style_rewrites_what_shows_citations(sample_show: Path) -> None:
    r = _Rebuild(sample_show)
    config = sample_show / "feed_config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("citation_style: american-medical-association", "citation_style: apa"),
        encoding="utf-8",
    )
    changed, bytes_changed = r.again()
    assert changed == bytes_changed
    # every page with notes or a "Cite this episode" in the style, and the feed
    assert EPISODE_PAGES | {"feed.xml"} <= changed
    unaffected = {k for k in r.before if k.startswith(("media/", "artwork/", "cite/"))}
    unaffected |= {k for k in r.before if k.startswith("references/")}
    unaffected |= {"style.css", "site.js", "robots.txt", "sitemap.xml", "404.html"}
    assert not changed & unaffected


def test_a_template_override_rewrites_exactly_the_pages_it_renders(sample_show: Path) -> None:
    r = _Rebuild(sample_show)
    package = resources.files("publisher.site").joinpath("templates", "episode.html")
    folder = sample_show / "templates"
    folder.mkdir()
    text = package.read_text(encoding="utf-8")
    assert "{% block main %}" in text
    (folder / "episode.html").write_text(
        text.replace("{% block main %}", "{% block main %}<!-- the show's own -->", 1),
        encoding="utf-8",
    )
    changed, bytes_changed = r.again()
    assert changed == bytes_changed == EPISODE_PAGES
    (folder / "episode.html").unlink()
    r.before = r.after
    changed, _ = r.again()
    assert changed == EPISODE_PAGES  # and back


def test_outputs_no_longer_built_are_removed(sample_show: Path) -> None:
    r = _Rebuild(sample_show)
    stray = r.site / "old" / "page.html"
    stray.parent.mkdir()
    stray.write_text("left over")
    (sample_show / "show_notes" / f"{RED}.md").unlink()
    (sample_show / "episodes" / f"{RED}.m4a").unlink()
    r.again()
    assert not stray.exists() and not stray.parent.exists()
    gone = {k for k in r.before if RED in k}
    assert gone and not gone & set(r.after)
    assert sorted(r.after) == sorted(k for k in snapshot(r.site))


FOREIGN = json.dumps({"format": FORMAT, "package": "other"}).encode()


@pytest.mark.parametrize("garbage", [b"{not json", b"[]", FOREIGN])
def test_a_corrupt_or_foreign_cache_is_discarded(sample_show: Path, garbage: bytes) -> None:
    first = full_build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    expected = snapshot(first.site_dir)
    cache = sample_show / CACHE_FILE
    data = json.loads(cache.read_bytes())
    for entry in data["files"].values():
        entry["sha256"] = "0" * 64  # lies, in a cache that is then replaced by garbage
    cache.write_bytes(garbage)
    for stored in (sample_show / ".publisher" / "notes").iterdir():
        stored.write_bytes(garbage)
    again = full_build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert {k: s.sha256 for k, s in snapshot(again.site_dir).items()} == {
        k: s.sha256 for k, s in expected.items()
    }
    assert all(f.sha256 != "0" * 64 for f in again.files)
    assert json.loads(cache.read_bytes())["format"] == FORMAT  # replaced by a good one


def test_a_cache_of_another_package_version_is_not_trusted(sample_show: Path) -> None:
    first = full_build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    (key,) = [f.key for f in first.files if f.key.startswith(f"media/{RED}-")]
    cache = sample_show / CACHE_FILE
    data = json.loads(cache.read_bytes())
    for entry in data["files"].values():
        entry["sha256"] = "0" * 64
    data["package"] = "0" * 64  # written by other code
    cache.write_bytes(json.dumps(data).encode())
    again = full_build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert again.file(key).sha256 == first.file(key).sha256


def test_an_edited_transcript_rewrites_its_pages(sample_show: Path) -> None:
    """The site reads transcripts itself: the kept site is not reused past an edit."""
    r = _Rebuild(sample_show)
    vtt = sample_show / "episodes" / f"{GUIDELINES}.vtt"
    vtt.write_text(vtt.read_text(encoding="utf-8").replace("guideline", "Guideline", 1))
    changed, bytes_changed = r.again()
    assert changed == bytes_changed
    assert {
        f"episodes/{GUIDELINES}.transcript.html",
        f"captions/{GUIDELINES}.vtt",
        f"transcripts/{GUIDELINES}.vtt",
    } <= changed
    assert not changed & (EPISODE_PAGES - {f"episodes/{GUIDELINES}.html"})


def _corrected_audio_is_republished(
    r: _Rebuild, audio: Path, changed: set[str], bytes_changed: set[str]
) -> None:
    """The corrected file is published under a new, content-addressed media key (issue 13):
    the old key goes, and only the feed and the pages that link the audio change with it."""
    digest = hashlib.sha256(audio.read_bytes()).hexdigest()
    new = f"media/{IMAGING}-{digest[:16]}.mp3"
    (old,) = [k for k in r.before if k.startswith(f"media/{IMAGING}-")]
    assert new != old and r.result.file(new).sha256 == digest
    assert new in changed and old not in r.after
    others = {k for k in bytes_changed - {new, old} if not k.endswith(".html")}
    assert others == {"feed.xml"}
    assert changed == bytes_changed


def _plant(site: Path, key: str, show: Path) -> None:
    """Change a built page and record the change in the cache as if the build had written it:
    a page the next build renders again loses the mark; one it keeps keeps it."""
    page = site / key
    data = page.read_bytes().replace(b"</body>", b"<!-- PLANTED --></body>", 1)
    page.write_bytes(data)
    cache = BuildCache(show)
    cache.remember_written(str(page), page.stat(), hashlib.sha256(data).hexdigest())
    assert cache.site is not None
    for row in cache.site["made"]:
        if row[0] == key:
            row[1] = hashlib.sha256(data).hexdigest()
    cache.save()


def test_after_a_cold_build_an_edit_renders_only_the_pages_that_show_it(
    sample_show: Path,
) -> None:
    """The notes the cold build rendered and those it kept (a bibliography parsed anew and one
    read back from the cache list an entry's fields in another order) are the same inputs."""
    site = full_build(sample_show, now=FIXED_NOW, guid_mode="refuse").site_dir
    _plant(site, f"episodes/{GUIDELINES}.html", sample_show)  # not next to the edited one
    note = sample_show / "show_notes" / f"{IMAGING}.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    full_build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert b"PLANTED" in (site / f"episodes/{GUIDELINES}.html").read_bytes()  # not rendered
    assert b"One more sentence." in (site / f"episodes/{IMAGING}.html").read_bytes()


def test_a_scheduled_episodes_notes_are_rendered_once_too(
    sample_show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A note not yet due is rendered for its warnings; kept like a published one's, it is
    not rendered again while its inputs hold, in a build or in a drafts preview."""
    note = sample_show / "show_notes" / f"{GUIDELINES}.md"
    note.write_text(note.read_text().replace("date: 2026-10-01", "date: 2027-01-05", 1))
    r = _Rebuild(sample_show)
    sources = [
        decode_entry(p.read_bytes())[0]["source"]
        for p in (sample_show / ".publisher" / "notes").iterdir()
    ]
    assert [s for s in sources if s.endswith(f"{GUIDELINES}.md")]  # kept
    assert not (r.site / f"episodes/{GUIDELINES}.html").exists()  # left out: not yet due
    preview = full_build(
        sample_show, now=FIXED_NOW, guid_mode="refuse", drafts=True,
        out_dir=sample_show / ".publisher" / "drafts-preview",
    )  # fmt: skip
    page = (preview.site_dir / f"episodes/{GUIDELINES}.html").read_text(encoding="utf-8")

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("rendered again")

    monkeypatch.setattr("publisher.notes.render_notes", refuse)
    changed, _ = r.again()
    assert changed == set()  # nothing rendered again, nothing written
    again = full_build(
        sample_show, now=FIXED_NOW, guid_mode="refuse", drafts=True,
        out_dir=sample_show / ".publisher" / "drafts-preview",
    )  # fmt: skip
    assert (again.site_dir / f"episodes/{GUIDELINES}.html").read_text(encoding="utf-8") == page
    note.write_text(note.read_text() + "\nAn added sentence.\n")
    with pytest.raises(AssertionError, match="rendered again"):
        r.again()  # an edited scheduled note is rendered again


def test_an_in_text_typo_of_a_key_is_warned_about_by_every_build(
    sample_show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The warning is kept with the rendered notes, so a build that reuses them (a published
    note, or one not yet due) says it again."""
    red = sample_show / "show_notes" / f"{RED}.md"
    red.write_text(red.read_text() + "\nAs @downie2031 put it.\n")
    later = sample_show / "show_notes" / f"{GUIDELINES}.md"
    text = later.read_text().replace("date: 2026-10-01", "date: 2027-01-05", 1)
    later.write_text(text + "\nSee @koes2001, and @who.\n")
    expected = [
        f"{red}:{red.read_text().count(chr(10))}: warning: '@downie2031' is not a citation "
        "key, so it is shown as text (did you mean @downie2013? write [@downie2013] or "
        "@downie2013 to cite it)",
        f"{later}:{later.read_text().count(chr(10))}: warning: '@koes2001' is not a citation "
        "key, so it is shown as text (did you mean @koes2010? write [@koes2010] or @koes2010 "
        "to cite it)",
    ]
    first = full_build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert [str(n) for n in first.notices if "citation key" in n.message] == expected

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("rendered again")

    monkeypatch.setattr("publisher.notes.render_notes", refuse)
    again = full_build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert [str(n) for n in again.notices if "citation key" in n.message] == expected
