"""I-04 across runs, end to end with the sample show: a published episode's GUID cannot be
changed by deleting or editing its note's ``guid:`` line (local folder, then SeaweedFS)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from publisher import build
from publisher.errors import GuidChangedError, display_path
from publisher.model import Target
from publisher.publish import run as deploy
from publisher.publish.history import RemovalRefused
from tests.support.s3server import PREFIX, Bucket, SeaweedS3
from tests.support.show import FIXED_NOW, copy_show

SLUG = "2026-09-15-red-flags"
OLD = "5b2e9d47-8c3f-4a6b-b1d0-2f7e8a9c3d12"  # the sample note's guid


def mtimes(folder: Path) -> dict[str, int]:
    """Modification times under ``folder`` (the lock comes and goes in .publisher/)."""
    return {
        str(p): p.stat().st_mtime_ns
        for p in folder.rglob("*")
        if p.name not in (".publisher", "lock.json")
    }


def drop_guid_line(note: Path) -> str:
    """Delete the note's ``guid:`` line; return the note as it was."""
    text = note.read_text(encoding="utf-8")
    assert f"\nguid: {OLD}\n" in text
    note.write_text(text.replace(f"\nguid: {OLD}\n", "\n", 1), encoding="utf-8")
    return text


def minted_guid(note: Path) -> str:
    m = re.search(r"^guid: (\S+)$", note.read_text(encoding="utf-8"), re.MULTILINE)
    assert m is not None and m.group(1) != OLD
    return m.group(1)


def refusal(note: Path, location: str, new: str) -> str:
    return (
        f"{display_path(note)}: guid changed since it was published: the feed at {location} "
        f"has '{OLD}' for this episode, the note now says '{new}' [I-04] (put back "
        f"'guid: {OLD}' (apps would list the episode twice); to publish it as a new episode, "
        "give it a new slug (rename its note and audio))"
    )


def test_deleted_guid_line_is_refused_then_publishes_once_put_back(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    first = build.build(show, now=FIXED_NOW, guid_mode="write")
    deploy.publish(first)
    public = Path(first.target.location)
    before = mtimes(public)

    note = show / "show_notes" / f"{SLUG}.md"
    original = drop_guid_line(note)
    rebuilt = build.build(show, now=FIXED_NOW, guid_mode="write")  # mints and writes a GUID
    new = minted_guid(note)
    for dry_run in (True, False):
        with pytest.raises(GuidChangedError) as e:
            deploy.publish(rebuilt, dry_run=dry_run)
        assert str(e.value) == refusal(note, str(public), new)
        assert mtimes(public) == before  # nothing written, not even the manifest

    note.write_text(original, encoding="utf-8")
    report = deploy.publish(build.build(show, now=FIXED_NOW, guid_mode="write"))
    assert not report.changed  # the same show as published
    feed = etree.parse(str(public / "feed.xml"))
    guids = feed.xpath(f"//item[enclosure[contains(@url, '{SLUG}')]]/guid/text()")
    assert guids == [OLD]


def test_edited_guid_is_refused_on_s3(admin_env: SeaweedS3, bucket: Bucket, tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    target = Target(
        name="s3",
        kind="s3",
        location=f"s3://{bucket.name}/{PREFIX}",
        public_url=f"{admin_env.endpoint}/{bucket.name}/{PREFIX}/",
        endpoint_url=admin_env.endpoint,
        region="us-east-1",
        addressing_style="path",
        source=show / "feed_config.yaml",
    )
    deploy.publish(build.build(show, now=FIXED_NOW, target=target), verify=False)
    state = bucket.state()
    note = show / "show_notes" / f"{SLUG}.md"
    edited = "5b2e9d47-8c3f-4a6b-b1d0-2f7e8a9c3d13"
    note.write_text(note.read_text(encoding="utf-8").replace(OLD, edited), encoding="utf-8")
    with pytest.raises(GuidChangedError) as e:
        deploy.publish(build.build(show, now=FIXED_NOW, target=target), verify=False)
    assert str(e.value) == refusal(note, f"s3://{bucket.name}/{PREFIX}/", edited)
    assert bucket.state() == state  # nothing uploaded, and the lock released


# --- the archive feeds (RFC 5005) are published too ------------------------------------------

OLDEST = "2026-09-01-imaging-without-pain"
OLDEST_GUID = "0c6f3b8e-5d1a-4f7e-9b2a-6a1d3c8e4f01"


def with_policy(show: Path, max_items: int) -> None:
    cfg = show / "feed_config.yaml"
    text = re.sub(r"\nfeed:\n  max_items: \d+\n", "\n", cfg.read_text(encoding="utf-8"))
    cfg.write_text(text + f"feed:\n  max_items: {max_items}\n", encoding="utf-8")


def archived_guids(public: Path) -> list[str]:
    return [
        str(g)
        for path in sorted(public.glob("feed-archive-*.xml"))
        for g in etree.parse(str(path)).xpath("//item/guid/text()")
    ]


def test_an_episode_moved_into_an_archive_is_not_a_removal(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    with_policy(show, 2)
    first = build.build(show, now=FIXED_NOW, guid_mode="refuse")
    deploy.publish(first)
    public = Path(first.target.location)
    assert archived_guids(public) == [OLDEST_GUID]
    with_policy(show, 1)
    report = deploy.publish(build.build(show, now=FIXED_NOW, guid_mode="refuse"))
    assert report.removed == ()
    assert sorted(archived_guids(public)) == sorted([OLDEST_GUID, OLD])


def test_an_episode_dropped_from_an_archive_is_a_removal(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    with_policy(show, 1)
    first = build.build(show, now=FIXED_NOW, guid_mode="refuse")
    deploy.publish(first)
    public = Path(first.target.location)
    assert OLDEST_GUID in archived_guids(public)  # not in feed.xml: only an archive has it
    before = mtimes(public)
    (show / "show_notes" / f"{OLDEST}.md").unlink()
    (show / "episodes" / f"{OLDEST}.mp3").unlink()
    with pytest.raises(RemovalRefused) as e:
        deploy.publish(build.build(show, now=FIXED_NOW, guid_mode="refuse"))
    assert [ep.guid for ep in e.value.removed] == [OLDEST_GUID]
    assert "'Imaging findings in people without back pain'" in str(e.value)
    assert mtimes(public) == before


def test_a_guid_changed_in_an_archive_is_refused(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    with_policy(show, 1)
    first = build.build(show, now=FIXED_NOW, guid_mode="refuse")
    deploy.publish(first)
    public = Path(first.target.location)
    assert OLD in archived_guids(public)
    note = show / "show_notes" / f"{SLUG}.md"
    edited = "5b2e9d47-8c3f-4a6b-b1d0-2f7e8a9c3d13"
    note.write_text(note.read_text(encoding="utf-8").replace(OLD, edited), encoding="utf-8")
    with pytest.raises(GuidChangedError) as e:
        deploy.publish(build.build(show, now=FIXED_NOW, guid_mode="refuse"))
    assert str(e.value) == refusal(note, str(public), edited)
