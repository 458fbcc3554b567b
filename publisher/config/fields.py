"""The two schema tables: the keys of feed_config.yaml and the fields of front matter.

Each row names a field's kind, default, check, hint and feed-rule ID (docs/feed-rules.md);
``publisher.config.schema.FieldReader`` reads a file against its table. The README documents
every row (tests/test_readme.py checks ``CONFIG.names`` and ``FRONT_MATTER.names``).
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from publisher.config import site
from publisher.config.categories import parse_categories
from publisher.config.dates import FORMS, DateProblem, parse_date
from publisher.config.imported import (
    ENCLOSURE,
    ENCLOSURE_EXAMPLE,
    PREFIX,
    PREFIX_HINT,
    SECONDS,
    old_feed_url,
)
from publisher.config.persons import is_https_url, parse_persons
from publisher.config.schema import (
    BOOLEAN,
    EXISTING_FILE,
    PATHS,
    POSITIVE,
    TEXT,
    WORDS,
    Context,
    Field,
    Kind,
    Mismatch,
    Schema,
    check_keys,
    choice,
)
from publisher.config.targets import ASCII_URL_HINT, is_http_url, parse_targets
from publisher.model import FeedPolicy, Owner

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[A-Za-z]{2,}$")
CHANNEL_DESCRIPTION_BYTES = 4000
FUNDING_LABEL = "Support the show"
OWNER_EXAMPLE = "owner: {name: Ana Lee, email: ana@example.org}"
# The fields both files take say the same mistake the same way (their paths start at the
# file that names them).
PERSONS_EXAMPLE = "persons: [Ana Lee, {name: Ben Ode, role: guest}]"
BIBLIOGRAPHY_EXAMPLE = "bibliography: references.bib"


def _owner(value: Any, context: Context) -> Owner | None:
    if not isinstance(value, dict):
        raise Mismatch
    check_keys(value, ("name", "email"), context.fail)
    name, email = value.get("name"), value.get("email")
    ok = True
    if not (isinstance(name, str) and name.strip()):
        context.fail("'owner' needs a 'name' [C-09]", hint=f"write e.g. '{OWNER_EXAMPLE}'")
        ok = False
    if not (isinstance(email, str) and _EMAIL.match(email.strip())):
        context.fail(
            f"'owner.email' {email!r} is not a valid email address [C-09]",
            "email",
            hint="write e.g. 'email: ana@example.org'; directories verify ownership with it",
        )
        ok = False
    return Owner(str(name).strip(), str(email).strip()) if ok else None


def _funding(value: Any, context: Context) -> tuple[str, str] | None:
    if not isinstance(value, dict):
        raise Mismatch
    check_keys(value, ("url", "label"), context.fail)
    url, label = value.get("url"), value.get("label") or FUNDING_LABEL
    if not isinstance(url, str) or not is_http_url(url) or not url.strip().startswith("https:"):
        # D-04: every podcast:* URL is https.
        context.fail(
            "'funding.url' must be an absolute https:// URL [C-14]",
            "url",
            hint="write e.g. 'url: https://example.org/support'",
        )
        return None
    if not is_https_url(url):
        context.fail("'funding.url' must be ASCII [D-05]", "url", hint=ASCII_URL_HINT)
        return None
    if not isinstance(label, str) or len(label) > 128:
        context.fail(
            "'funding.label' must be text of at most 128 characters [C-14]",
            "label",
            hint=f"write e.g. 'label: {FUNDING_LABEL}'",
        )
        return None
    return url.strip(), label.strip() or FUNDING_LABEL


def _feed_policy(value: Any, context: Context) -> FeedPolicy | None:
    """``feed: {full_notes: N, max_items: M}`` (docs/feeds.md), defaults where left out."""
    if not isinstance(value, dict):
        raise Mismatch
    check_keys(value, ("full_notes", "max_items"), context.fail)
    default = FeedPolicy()
    ok = True
    for key, low, example in (("full_notes", 0, default.full_notes), ("max_items", 1, 500)):
        given = value.get(key)
        if given is not None and (isinstance(given, bool) or not isinstance(given, int)
                                  or given < low):  # fmt: skip
            context.fail(
                f"'feed.{key}' must be a whole number from {low} up, not {given!r}",
                key,
                hint=f"write e.g. '{key}: {example}'",
            )
            ok = False
    if not ok:
        return None
    full_notes = value.get("full_notes")
    return FeedPolicy(
        default.full_notes if full_notes is None else full_notes,
        value.get("max_items", default.max_items),
    )


def _date(value: Any, context: Context) -> Any:
    assert context.zone is not None  # front matter is always read with the show's zone
    try:
        found = parse_date(value, context.zone)
    except DateProblem as e:
        context.fail(e.message, hint=e.hint)
        return None
    if found is None:
        raise Mismatch
    return found


def _guid(value: Any, _: Context) -> str | None:
    if not isinstance(value, str):
        raise Mismatch
    return value.strip() or None


def _description(text: str) -> tuple[str, str] | None:
    size = len(text.encode())
    if size > CHANNEL_DESCRIPTION_BYTES:
        return (
            f"is {size} bytes; at most {CHANNEL_DESCRIPTION_BYTES}",
            "shorten it to a few sentences about the show; episodes' notes hold the details",
        )
    if re.search(r"<[A-Za-z/!]", text):
        return "must be plain text, not HTML", "remove the tags; apps show this text as it is"
    return None


def _language(code: str) -> str | None:
    return (
        None if _LANGUAGE.match(code) else f"{code!r} is not an ISO 639 code like 'en' or 'en-us'"
    )


def _timezone(name: str) -> str | None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"{name!r} is not a known time zone"
    return None


def _endpoint(url: str) -> str | None:
    """An endpoint told after a publish (WebSub hub, publish-notify): absolute http(s)."""
    return None if is_http_url(url) and url.isascii() else "must be an absolute http(s) URL"


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


OWNER = Kind("a mapping with name and email", _owner)
CATEGORIES = Kind(
    "a list of Apple categories, e.g. 'Health & Fitness > Medicine'", parse_categories
)
PERSONS = Kind("a list of names or of {name, role, group, img, href}", parse_persons)
FUNDING = Kind("a mapping with url and label", _funding)
FEED = Kind("a mapping with full_notes and max_items", _feed_policy)
TARGETS = Kind("a mapping of target names to {location, public_url}", parse_targets)
DATE = Kind(FORMS, _date)


def _site_kind(expects: str, read: Any) -> Kind:
    """A website key read by :mod:`publisher.config.site` (its paths start at the key)."""

    def convert(value: Any, context: Context) -> Any:
        return read(
            value, lambda message, _key, *sub, hint=None: context.fail(message, *sub, hint=hint)
        )

    return Kind(expects, convert)


SUBSCRIBE = _site_kind("a mapping of app names to https URLs", site.subscribe)
PER_PAGE = _site_kind("a whole number from 1 to 500", site.episodes_per_page)
ACCENT = _site_kind("a mapping with light and dark colours", site.accent_color)
GUID = Kind("text", _guid)

CONFIG = Schema(
    "feed_config.yaml",
    (
        Field("title", TEXT, "", required=True, rule="C-01", example="title: Night Shift Science"),
        Field(
            "description",
            TEXT,
            "",
            required=True,
            check=_description,
            rule="C-02",
            example="description: A weekly look at the evidence behind sleep.",
        ),
        Field("author", TEXT, "", required=True, example="author: Ana Lee"),
        Field("owner", OWNER, Owner("", ""), required=True, rule="C-09", example=OWNER_EXAMPLE),
        Field(
            "language",
            TEXT,
            "en",
            required=True,
            check=_language,
            rule="C-04",
            example="language: en",
        ),
        Field(
            "categories",
            CATEGORIES,
            (),
            required=True,
            rule="C-05",
            example="categories: [Health & Fitness > Medicine]",
        ),
        Field("explicit", BOOLEAN, False, example="explicit: false"),
        Field("artwork", TEXT, None, required=True, example="artwork: artwork.jpg"),
        Field("timezone", TEXT, "UTC", check=_timezone, hint="e.g. Europe/London"),
        Field(
            "type", choice("episodic", "serial"), "episodic", rule="C-10", example="type: episodic"
        ),
        Field("copyright", TEXT, example="copyright: © 2026 Ana Lee"),
        Field("locked", BOOLEAN, False, example="locked: false"),
        Field(
            "new_feed_url",
            TEXT,
            check=lambda v: (
                None
                if is_http_url(v) and v.isascii()
                else ("must be the absolute URL of the feed's new home")
            ),
            rule="D-08",
            example="new_feed_url: https://new.example.org/feed.xml",
        ),
        Field("persons", PERSONS, (), example=PERSONS_EXAMPLE),
        Field(
            "funding",
            FUNDING,
            None,
            example=f"funding: {{url: https://example.org/support, label: {FUNDING_LABEL}}}",
        ),
        Field(
            "imported_from",
            TEXT,
            check=old_feed_url,
            example="imported_from: https://feeds.example.com/show.xml",
        ),
        Field("enclosure_prefix", PREFIX, hint=PREFIX_HINT),
        Field(
            "podcast_guid",
            TEXT,
            check=lambda v: None if _is_uuid(v) else f"{v!r} is not a UUID",
            hint="delete the line and build again to compute it",
            rule="C-12",
        ),
        Field(
            "websub_hub",
            TEXT,
            check=_endpoint,
            example="websub_hub: https://pubsubhubbub.appspot.com/",
        ),
        Field(
            "podcast_index_notify",
            TEXT,
            check=_endpoint,
            example="podcast_index_notify: https://api.podcastindex.org/api/1.0/hub/pubnotify",
        ),
        Field("bibliography", PATHS, (), example=BIBLIOGRAPHY_EXAMPLE),
        Field(
            "citation_style",
            TEXT,
            "american-medical-association",
            example="citation_style: american-medical-association",
        ),
        Field("references_title", TEXT, "References", example="references_title: References"),
        Field(
            "feed",
            FEED,
            FeedPolicy(),
            rule="D-09",
            example="feed: {full_notes: 20, max_items: 500}",
        ),
        Field(
            "targets",
            TARGETS,
            (),
            required=True,
            example='targets: {preview: {location: public/, public_url: "http://127.0.0.1:8000/"}}',
        ),
        Field("default_target", TEXT, example="default_target: preview"),
        Field("subscribe", SUBSCRIBE, (), example=site.SUBSCRIBE_EXAMPLE),
        Field(
            "episodes_per_page",
            PER_PAGE,
            site.DEFAULT_EPISODES_PER_PAGE,
            example=site.PER_PAGE_EXAMPLE,
        ),
        Field("accent_color", ACCENT, None, example=site.ACCENT_EXAMPLE),
    ),
)

FRONT_MATTER = Schema(
    "the front matter",
    (
        Field("title", TEXT, example="title: Sleep and back pain"),
        Field("date", DATE, required=True, hint="or with an offset: 2026-09-01T08:30:00+01:00"),
        Field("guid", GUID, hint="it never changes once published", rule="I-04"),
        Field("season", POSITIVE, rule="I-12", example="season: 1"),
        Field("episode", POSITIVE, rule="I-12", example="episode: 2"),
        Field(
            "episode_type",
            choice("full", "trailer", "bonus"),
            "full",
            rule="I-13",
            example="episode_type: full",
        ),
        Field("explicit", BOOLEAN, example="explicit: false"),
        Field("summary", TEXT, example="summary: One plain sentence."),
        Field("image", EXISTING_FILE, example="image: sleep-and-back-pain.jpg"),
        Field("keywords", WORDS, (), example="keywords: [sleep, back pain]"),
        Field("draft", BOOLEAN, False, example="draft: true"),
        Field("bibliography", PATHS, (), example=BIBLIOGRAPHY_EXAMPLE),
        Field("persons", PERSONS, (), example=PERSONS_EXAMPLE),
        Field("enclosure", ENCLOSURE, rule="I-02", example=ENCLOSURE_EXAMPLE),
        Field("duration", SECONDS, 0.0, rule="I-08", example="duration: 1834"),
    ),
)
