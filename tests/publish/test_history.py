"""I-04 across runs: the pure parts of the GUID guard (feed -> url/guid map, comparison)."""

from __future__ import annotations

from pathlib import Path

from publisher.errors import GuidChangedError, StoreError
from publisher.model import Enclosure
from publisher.publish.history import (
    GuidChange,
    archive_feeds,
    changed_guids,
    guid_problems,
    published_guids,
    removed_episodes,
)

BASE = "https://cdn.example.org/show/"
OLD = "285df7e3-1c4a-4d1e-9a4b-0f3c2d1e5a67"
NEW = "c5df967e-8b2f-4e3a-a1d6-7e9c0b4f2d18"
NOTE = Path("/shows/back/show_notes/2026-09-15-red-flags.md")


def feed(*items: str) -> bytes:
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        "<rss version='2.0' xmlns:itunes='http://www.itunes.com/dtds/podcast-1.0.dtd'>"
        f"<channel><title>Show</title>{''.join(items)}</channel></rss>\n"
    ).encode()


def item(slug: str, guid: str | None, *, ext: str = "mp3", digest: str = "") -> str:
    g = "" if guid is None else f"<guid isPermaLink='false'>\n  {guid}\n</guid>"
    name = f"{slug}-{digest}" if digest else slug
    enc = f"<enclosure url='{BASE}media/{name}.{ext}' length='10' type='audio/mpeg'/>"
    return f"<item><title>{slug}</title><itunes:episode>1</itunes:episode>{g}{enc}</item>"


def enc(slug: str, guid: str, source: Path | None = None) -> Enclosure:
    return Enclosure(f"media/{slug}.mp3", f"{BASE}media/{slug}.mp3", 10, "audio/mpeg", guid, source)


def test_published_guids_maps_each_slug_to_its_items_guid_in_either_media_shape() -> None:
    got = published_guids(
        feed(item("a", OLD), item("b", "b-guid", ext="m4a", digest="0123456789abcdef"))
    )
    assert got == {"a": OLD, "b": "b-guid"}


def test_published_guids_skips_items_without_guid_or_enclosure() -> None:
    no_enclosure = f"<item><title>x</title><guid>{OLD}</guid></item>"
    assert published_guids(feed(item("a", None), no_enclosure, item("b", " "))) == {}


def test_missing_or_unparsable_feed_gives_nothing_to_compare() -> None:
    assert published_guids(None) == {}
    assert published_guids(b"") == {}
    assert published_guids(b"<rss><channel><item>") == {}
    assert published_guids(b"\xff\xfe not xml at all") == {}


def test_changed_guid_is_found_new_and_removed_episodes_are_fine() -> None:
    published = {"a": OLD, "gone": "gone-guid"}
    now = (enc("a", NEW), enc("new", "new-guid"))
    assert changed_guids(published, now) == (GuidChange(now[0], OLD),)
    assert changed_guids(published, (enc("a", OLD), enc("new", "x"))) == ()
    assert changed_guids({}, now) == ()


def test_an_enclosure_without_a_guid_is_not_compared() -> None:
    assert changed_guids({"a": OLD}, (enc("a", ""),)) == ()


def test_a_guid_change_is_caught_even_when_the_public_url_moves_too() -> None:
    moved = Enclosure(
        "media/a.mp3", "https://new.example.net/pod/media/a.mp3", 10, "audio/mpeg", NEW
    )
    assert changed_guids(published_guids(feed(item("a", OLD))), (moved,)) == (
        GuidChange(moved, OLD),
    )


def test_guid_problems_one_per_episode_naming_the_note() -> None:
    other = Path("/shows/back/show_notes/2026-09-01-imaging.md")
    published = feed(item("a", OLD), item("b", "b-old"), item("c", "c-guid"))
    problems = guid_problems(
        published,
        "s3://pods/show/",
        (enc("a", NEW, NOTE), enc("b", "b-new", other), enc("c", "c-guid", NOTE)),
    )
    assert [type(p) for p in problems] == [GuidChangedError, GuidChangedError]
    assert all(isinstance(p, StoreError) for p in problems)
    first = problems[0]
    assert first.path == NOTE and first.line is None
    assert first.message == (
        f"guid changed since it was published: the feed at s3://pods/show/ has '{OLD}' for "
        f"this episode, the note now says '{NEW}' [I-04]"
    )
    assert first.hint == (
        f"put back 'guid: {OLD}' (apps would list the episode twice); to publish it as a new "
        "episode, give it a new slug (rename its note and audio)"
    )
    assert problems[1].path == other and "has 'b-old' for this episode" in problems[1].message


def test_guid_problems_without_a_note_names_the_media_key() -> None:
    (problem,) = guid_problems(feed(item("a", OLD)), "/srv/pod", (enc("a", NEW),))
    assert str(problem).startswith("media/a.mp3: guid changed since it was published: ")


def test_corrected_audio_under_a_new_content_addressed_url_is_the_same_episode() -> None:
    """Item 1: a fixed file gets a new URL; matched by slug and GUID, nothing changed."""
    published = feed(item("a", OLD), item("b", "b-guid", digest="0123456789abcdef"))
    fixed = (enc("a-fedcba9876543210", OLD), enc("b-aaaaaaaaaaaaaaaa", "b-guid"))
    assert guid_problems(published, "/srv/pod", fixed) == []
    assert removed_episodes(published, fixed) == ()
    changed = (enc("a-fedcba9876543210", NEW), enc("b-aaaaaaaaaaaaaaaa", "b-guid"))
    assert [c.published for c in changed_guids(published_guids(published), changed)] == [OLD]


def test_a_renamed_note_that_keeps_its_guid_is_neither_a_change_nor_a_removal() -> None:
    published = feed(item("a", OLD), item("b", "b-guid"))
    renamed = (enc("a-renamed", OLD), enc("b", "b-guid"))
    assert guid_problems(published, "/srv/pod", renamed) == []
    assert removed_episodes(published, renamed) == ()
    # and a new episode may take the renamed one's old slug
    taken = (enc("a-renamed", OLD), enc("a", NEW), enc("b", "b-guid"))
    assert guid_problems(published, "/srv/pod", taken) == []


def test_removed_episodes_are_named_by_title_once_each() -> None:
    published = feed(item("a", OLD), item("gone", "gone-guid"), item("gone", "gone-guid"))
    (removed,) = removed_episodes(published, (enc("a", OLD),))
    assert (removed.guid, removed.slug, removed.title) == ("gone-guid", "gone", "gone")
    assert removed_episodes(None, (enc("a", OLD),)) == ()
    # a GUID change is a removal too (the guard refuses it separately)
    assert [r.guid for r in removed_episodes(published, (enc("a", NEW),))] == [OLD, "gone-guid"]


def test_guid_problems_none_when_nothing_was_published() -> None:
    assert guid_problems(None, "/srv/pod", (enc("a", NEW, NOTE),)) == []


def test_an_episode_whose_media_the_old_host_serves_is_no_removal() -> None:
    """An imported episode kept on its old host has no enclosure of ours, but is in the feed."""
    published = feed(item("a", OLD), item("remote", "remote-guid"))
    assert [r.guid for r in removed_episodes(published, (enc("a", OLD),))] == ["remote-guid"]
    assert removed_episodes(published, (enc("a", OLD),), ("remote-guid", OLD)) == ()


def linked(prev: str, *items: str) -> bytes:
    link = f"<atom:link rel='prev-archive' href='{prev}'/>" if prev else ""
    return (
        "<rss version='2.0' xmlns:atom='http://www.w3.org/2005/Atom' "
        "xmlns:itunes='http://www.itunes.com/dtds/podcast-1.0.dtd'><channel><title>S</title>"
        f"{link}{''.join(items)}</channel></rss>"
    ).encode()


def test_archive_feeds_follow_prev_archive_by_key_and_stop_at_a_loop_or_a_gap() -> None:
    two = linked(f"{BASE}feed-archive-1.xml", item("b", "guid-b"))
    one = linked("https://old-host.example.org/feed-archive-2.xml", item("a", "guid-a"))
    main = linked(f"{BASE}feed-archive-2.xml", item("c", "guid-c"))
    store = {"feed-archive-2.xml": two, "feed-archive-1.xml": one}
    asked: list[str] = []

    def get(key: str) -> bytes | None:
        asked.append(key)
        return store.get(key)

    assert archive_feeds(main, get) == (two, one)  # newest first; the loop back to 2 ends it
    assert asked == ["feed-archive-2.xml", "feed-archive-1.xml"]
    assert published_guids(main, (two, one)) == {"c": "guid-c", "b": "guid-b", "a": "guid-a"}
    assert archive_feeds(linked(f"{BASE}feed.xml"), get) == ()  # not an archive's name
    assert archive_feeds(linked(f"{BASE}feed-archive-9.xml"), get) == ()  # missing
    assert archive_feeds(None, get) == ()
