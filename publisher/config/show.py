"""Read and validate feed_config.yaml into a frozen Show, reporting all problems at once."""

from __future__ import annotations

import difflib
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from publisher.config import yamldoc
from publisher.config.categories import APPLE_CATEGORIES
from publisher.config.identity import production_problems
from publisher.config.persons import parse_persons
from publisher.errors import ConfigError, PublisherError, raise_all
from publisher.model import Category, Owner, Show, Target

CONFIG_NAME = "feed_config.yaml"

KEYS = {
    "new_feed_url",
    "persons",
    "title",
    "description",
    "author",
    "owner",
    "language",
    "categories",
    "explicit",
    "artwork",
    "timezone",
    "type",
    "podcast_guid",
    "copyright",
    "locked",
    "funding",
    "bibliography",
    "citation_style",
    "references_title",
    "default_target",
    "targets",
    "websub_hub",
    "podcast_index_notify",
}
_TARGET_KEYS = {
    "location",
    "public_url",
    "endpoint_url",
    "region",
    "addressing_style",
    "production",
}
_SECRET_WORDS = ("secret", "password", "access_key", "token", "credential")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[A-Za-z]{2,}$")
_CHANNEL_DESCRIPTION_BYTES = 4000
# Characters XML 1.0 forbids (D-01): lxml refuses them and a feed holding one is unparseable.
XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

T = TypeVar("T")


def load(root: Path) -> Show:
    """Read ``root/feed_config.yaml``. Raises ConfigError, or Problems with every problem found."""
    source = root / CONFIG_NAME
    try:
        text = source.read_text(encoding="utf-8-sig")
    except FileNotFoundError as e:
        raise ConfigError(
            "no feed_config.yaml here", source, None, "run in the show folder or pass --show DIR"
        ) from e
    except UnicodeDecodeError as e:
        raise ConfigError("feed_config.yaml is not UTF-8 text", source, None) from e
    doc = yamldoc.load(text, source, error=ConfigError)
    if not isinstance(doc.data, dict):
        raise ConfigError("feed_config.yaml must be a mapping of keys to values", source, 1)
    return _Reader(doc, root).show()


class _Reader:
    def __init__(self, doc: yamldoc.Doc, root: Path) -> None:
        self.doc, self.root, self.data = doc, root, doc.data
        self.problems: list[PublisherError] = []

    def fail(self, message: str, *path: str | int, hint: str | None = None) -> None:
        self.problems.append(ConfigError(message, self.doc.source, self.doc.line(*path), hint))

    def get(
        self, key: str, kind: type[T], default: T | None = None, required: bool = False
    ) -> T | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(f"'{key}' is required", hint=f"add '{key}:' to feed_config.yaml")
            return default
        if kind is str and isinstance(value, str):
            value = value.strip()
            if not value:
                self.fail(f"'{key}' is empty", key)
                return default
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            self.fail(f"'{key}' must be {_kind_name(kind)}, not {_kind_name(type(value))}", key)
            return default
        return value

    def show(self) -> Show:
        d = self.data
        for path, char in xml_illegal_chars(d):
            self.fail(
                f"'{'.'.join(map(str, path))}' contains {char}, which XML 1.0 forbids [D-01]",
                *path,
                hint="delete it; such characters are often invisible in an editor",
            )
        for key in sorted(set(d) - KEYS):
            close = difflib.get_close_matches(key, sorted(KEYS), n=1)
            self._refuse_secret(key, (key,))
            if not _is_secret(key):
                hint = f"did you mean '{close[0]}'?" if close else "see README: feed_config.yaml"
                self.fail(f"unknown key '{key}'", key, hint=hint)
        title = self.get("title", str, required=True) or ""
        description = self.get("description", str, required=True) or ""
        if description:
            if len(description.encode()) > _CHANNEL_DESCRIPTION_BYTES:
                n = len(description.encode())
                self.fail(f"'description' is {n} bytes; at most 4000 [C-02]", "description")
            if re.search(r"<[A-Za-z/!]", description):
                self.fail("'description' must be plain text, not HTML [C-02]", "description")
        author = self.get("author", str, required=True) or ""
        owner = self._owner()
        language = self.get("language", str, required=True) or "en"
        if not _LANGUAGE.match(language):
            self.fail(
                f"'language' {language!r} is not an ISO 639 code like 'en' or 'en-us' [C-04]",
                "language",
            )
        categories = self._categories()
        explicit = self.get("explicit", bool, default=False)
        artwork = self.get("artwork", str, required=True)
        image = self.root / artwork if artwork else self.root / "artwork.jpg"
        if artwork:
            self._check_artwork(image)
        timezone = self.get("timezone", str, default="UTC") or "UTC"
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.fail(f"unknown time zone {timezone!r}", "timezone", hint="e.g. Europe/London")
            timezone = "UTC"
        kind = self.get("type", str, default="episodic") or "episodic"
        if kind not in ("episodic", "serial"):
            self.fail(f"'type' must be episodic or serial, not {kind!r} [C-10]", "type")
            kind = "episodic"
        guid = self.get("podcast_guid", str)
        if guid is not None and not _is_uuid(guid):
            self.fail(
                f"'podcast_guid' {guid!r} is not a UUID [C-12]",
                "podcast_guid",
                hint="delete the line and build again to compute it",
            )
        funding_url, funding_label = self._funding()
        new_feed_url = self.get("new_feed_url", str)
        if new_feed_url is not None and not (_is_http_url(new_feed_url) and new_feed_url.isascii()):
            self.fail(
                "'new_feed_url' must be the absolute URL of the feed's new home [D-08]",
                "new_feed_url",
            )
            new_feed_url = None
        persons = parse_persons(
            self.data.get("persons"),
            lambda message, i: self.fail(message, "persons", *(() if i is None else (i,))),
        )
        targets, default = self._targets()
        websub_hub = self._endpoint("websub_hub")
        podcast_index_notify = self._endpoint("podcast_index_notify")
        bibliography = tuple(self.root / p for p in self._paths("bibliography"))
        raise_all(self.problems)
        return Show(
            source=self.doc.source,
            root=self.root,
            title=title,
            description=description,
            author=author,
            owner=owner,
            language=language,
            categories=categories,
            explicit=bool(explicit),
            image=image,
            timezone=timezone,
            targets=targets,
            default_target=default,
            type="serial" if kind == "serial" else "episodic",
            podcast_guid=guid,
            copyright=self.get("copyright", str),
            locked=bool(self.get("locked", bool, default=False)),
            funding_url=funding_url,
            funding_label=funding_label,
            new_feed_url=new_feed_url,
            persons=persons,
            websub_hub=websub_hub,
            podcast_index_notify=podcast_index_notify,
            lines=_top_lines(self.doc),
            bibliography=bibliography,
            citation_style=self.get("citation_style", str) or "american-medical-association",
            references_title=self.get("references_title", str) or "References",
        )

    def _check_artwork(self, image: Path) -> None:
        from publisher import artwork  # Pillow is only needed when artwork is checked

        try:
            artwork.check(image, source=self.doc.source, line=self.doc.line("artwork"))
        except ConfigError as e:
            self.problems.append(e)

    def _owner(self) -> Owner:
        owner = self.get("owner", dict, required=True) or {}
        name = owner.get("name")
        email = owner.get("email")
        if owner and not (isinstance(name, str) and name.strip()):
            self.fail("'owner' needs a 'name' [C-09]", "owner")
        if owner and not (isinstance(email, str) and _EMAIL.match(email.strip())):
            self.fail(
                f"'owner.email' {email!r} is not a valid email address [C-09]",
                "owner",
                "email",
                hint="directories verify ownership with it",
            )
        return Owner(str(name or "").strip(), str(email or "").strip())

    def _categories(self) -> tuple[Category, ...]:
        if isinstance(self.data.get("categories"), str):  # one category needs no list
            self.data["categories"] = [self.data["categories"]]
        raw = self.get("categories", list, required=True) or []
        if not raw and isinstance(self.data.get("categories"), list):
            self.fail(
                "'categories' is empty; name at least one Apple category [C-05]", "categories"
            )
        found: list[Category] = []
        for i, item in enumerate(raw):
            if isinstance(item, dict) and len(item) == 1:
                ((name, sub),) = item.items()
            elif isinstance(item, str):
                name, _, sub = (s.strip() for s in item.partition(">"))
            else:
                self.fail("a category is 'Parent > Sub' or 'Parent'", "categories", i)
                continue
            sub = sub or None
            if name not in APPLE_CATEGORIES:
                close = difflib.get_close_matches(str(name), list(APPLE_CATEGORIES), n=1)
                parent = next((p for p, subs in APPLE_CATEGORIES.items() if name in subs), None)
                if parent:
                    hint = f"it is a subcategory: write '{parent} > {name}'"
                elif close:
                    hint = f"did you mean '{close[0]}'?"
                else:
                    hint = "see Apple's category list"
                self.fail(f"unknown Apple category {name!r} [C-05]", "categories", i, hint=hint)
            elif sub is not None and sub not in APPLE_CATEGORIES[name]:
                subs = APPLE_CATEGORIES[name]
                close = difflib.get_close_matches(str(sub), list(subs), n=1)
                hint = (
                    f"did you mean '{close[0]}'?"
                    if close
                    else "its subcategories: " + (", ".join(subs) or "none")
                )
                self.fail(
                    f"{sub!r} is not a subcategory of {name!r} [C-05]", "categories", i, hint=hint
                )
            else:
                found.append(Category(str(name), str(sub) if sub else None))
        return tuple(found)

    def _funding(self) -> tuple[str | None, str | None]:
        funding = self.get("funding", dict)
        if not funding:
            return None, None
        url, label = funding.get("url"), funding.get("label") or "Support the show"
        # D-04: every podcast:* URL is https.
        if not isinstance(url, str) or not _is_http_url(url) or urlsplit(url).scheme != "https":
            self.fail("'funding.url' must be an absolute https:// URL [C-14]", "funding", "url")
            return None, None
        if not url.isascii():
            self.fail("'funding.url' must be ASCII [D-05]", "funding", "url")
            return None, None
        if not isinstance(label, str) or len(label) > 128:
            self.fail("'funding.label' must be text of at most 128 characters [C-14]", "funding")
            return None, None
        return url.strip(), label.strip() or "Support the show"

    def _endpoint(self, key: str) -> str | None:
        """An absolute http(s) URL to notify after a publish (WebSub hub, publish-notify)."""
        url = self.get(key, str)
        if url is not None and not (_is_http_url(url) and url.isascii()):
            self.fail(f"'{key}' must be an absolute http(s) URL", key)
            return None
        return url

    def _paths(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(p, str) and p for p in items):
            self.fail(f"'{key}' must be a path or a list of paths", key)
            return ()
        return tuple(items)

    def _targets(self) -> tuple[tuple[Target, ...], str]:
        raw = self.get("targets", dict, required=True) or {}
        targets = [t for name, spec in raw.items() if (t := self._target(str(name), spec))]
        names = [t.name for t in targets]
        default = self.get("default_target", str) or (names[0] if names else "")
        if names and default not in raw:
            self.fail(
                f"'default_target' {default!r} is not one of the targets: " + ", ".join(names),
                "default_target",
            )
        for target, message in production_problems(targets):
            self.fail(
                message,
                "targets",
                target.name,
                "production",
                hint="mark exactly one target, the one whose public https URL apps subscribe to",
            )
        return tuple(targets), default

    def _target(self, name: str, spec: Any) -> Target | None:
        where = ("targets", name)
        if not isinstance(spec, dict):
            self.fail(f"target {name!r} must be a mapping with location and public_url", *where)
            return None
        for key in sorted(set(spec) - _TARGET_KEYS):
            if not self._refuse_secret(key, (*where, key)):
                self.fail(
                    f"unknown key '{key}' in target {name!r}",
                    *where,
                    key,
                    hint="allowed: " + ", ".join(sorted(_TARGET_KEYS)),
                )
        location, public_url = spec.get("location"), spec.get("public_url")
        ok = True
        if not isinstance(location, str) or not location.strip():
            self.fail(
                f"target {name!r} needs a 'location' (a folder or s3://bucket/prefix)", *where
            )
            ok = False
        if not isinstance(public_url, str) or not _is_http_url(public_url):
            self.fail(
                f"target {name!r} needs an absolute http(s) 'public_url' [D-04]",
                *where,
                hint="the URL apps and listeners use, e.g. https://cdn.example.org/show/",
            )
            ok = False
        elif not public_url.isascii():
            self.fail(f"target {name!r}: public_url must be ASCII [D-05]", *where, "public_url")
            ok = False
        elif urlsplit(public_url).hostname == "localhost":
            self.fail(
                f"target {name!r}: use http://127.0.0.1:PORT/ instead of localhost [D-04]",
                *where,
                "public_url",
                hint="the W3C validator rejects localhost URLs",
            )
            ok = False
        production = spec.get("production", False)
        if not isinstance(production, bool):
            self.fail(f"target {name!r}: 'production' must be true or false", *where, "production")
            production = False
        if not ok:
            return None
        return make_target(
            name,
            str(location),
            str(public_url),
            self.root,
            endpoint_url=_opt_str(spec, "endpoint_url"),
            region=_opt_str(spec, "region"),
            addressing_style=_opt_str(spec, "addressing_style"),
            production=production,
            source=self.doc.source,
            line=self.doc.line(*where),
            fail=self._target_fail(where),
        )

    def _target_fail(self, where: tuple[str, ...]) -> Callable[[str], None]:
        return lambda message: self.fail(message, *where)

    def _refuse_secret(self, key: str, where: tuple[str | int, ...]) -> bool:
        if not _is_secret(key):
            return False
        self.fail(
            f"'{key}' must not be stored in feed_config.yaml",
            *where,
            hint="remove it; supply credentials through the AWS chain: the AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY environment variables, AWS_PROFILE with ~/.aws/credentials, "
            "or an instance role",
        )
        return True


def find_target(show: Show, name: str | None, *, ad_hoc_hint: bool = False) -> Target:
    """The target called ``name`` (None: the default). Raises ConfigError naming the targets."""
    try:
        return show.target(name)
    except KeyError:
        names = ", ".join(t.name for t in show.targets)
        raise ConfigError(
            f"no target named {name!r}; targets: {names}",
            show.source,
            None,
            "or pass --to s3://bucket/prefix --public-url URL" if ad_hoc_hint else None,
        ) from None


def make_target(
    name: str,
    location: str,
    public_url: str,
    root: Path,
    *,
    endpoint_url: str | None = None,
    region: str | None = None,
    addressing_style: str | None = None,
    production: bool = False,
    source: Path | None = None,
    line: int | None = None,
    fail: Callable[[str], None] | None = None,
) -> Target:
    """A Target from its parts: an s3:// location or a folder (relative to ``root``)."""

    def complain(message: str) -> None:
        if fail is None:
            raise ConfigError(message, source, line)
        fail(message)

    public = public_url.strip()
    if not public.endswith("/"):
        public += "/"
    for what, url in (("public_url", public), ("endpoint_url", endpoint_url)):
        parts = urlsplit(url or "")
        if parts.username is not None or parts.password is not None:
            # Never echo the URL: what sits before "@" is usually a key or a password.
            complain(
                f"target {name!r}: {what} must not contain a user name or password; it would be "
                "published in every URL of the feed and site (supply credentials through the AWS "
                "chain instead)"
            )
            public = _without_userinfo(public)
            endpoint_url = _without_userinfo(endpoint_url) if endpoint_url else endpoint_url
    if location.startswith("s3://"):
        if not location.removeprefix("s3://").split("/", 1)[0]:
            complain(f"target {name!r}: {location!r} names no bucket (s3://bucket/prefix)")
        if addressing_style not in (None, "path", "virtual", "auto"):
            complain(f"target {name!r}: addressing_style must be path, virtual or auto")
            addressing_style = None
        return Target(
            name,
            "s3",
            location,
            public,
            endpoint_url,
            region,
            addressing_style,
            source,
            line,
            production,
        )
    if "://" in location:
        complain(f"target {name!r}: location {location!r} is neither a folder nor s3://…")
    folder = (root / location).resolve()
    return Target(name, "local", str(folder), public, None, None, None, source, line, production)


def store_podcast_guid(show: Show, guid: str) -> None:
    """Write ``podcast_guid: <guid>`` as one new line at the end of feed_config.yaml."""
    text = show.source.read_bytes()
    newline = b"\r\n" if b"\r\n" in text else b"\n"
    if text and not text.endswith((b"\n", b"\r")):
        text += newline
    show.source.write_bytes(text + b"podcast_guid: " + guid.encode() + newline)


def xml_illegal_chars(
    value: Any, path: tuple[str | int, ...] = ()
) -> list[tuple[tuple[str | int, ...], str]]:
    """(key path, "U+000B") for each text in ``value`` holding a character XML 1.0 forbids."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    if isinstance(value, str):
        if m := XML_ILLEGAL.search(value):
            found.append((path, f"U+{ord(m.group()):04X}"))
    elif isinstance(value, dict):
        for k, v in value.items():
            found.extend(xml_illegal_chars(k, (*path, str(k))))
            found.extend(xml_illegal_chars(v, (*path, str(k))))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found.extend(xml_illegal_chars(v, (*path, i)))
    return found


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def _top_lines(doc: yamldoc.Doc) -> tuple[tuple[str, int], ...]:
    """The line of every top-level key of ``doc``."""
    return tuple((str(path[0]), line) for path, line in doc.lines.items() if len(path) == 1)


def _opt_str(spec: dict[str, Any], key: str) -> str | None:
    value = spec.get(key)
    return str(value).strip() if value is not None else None


def _is_secret(key: str) -> bool:
    low = key.lower()
    return any(w in low for w in _SECRET_WORDS)


def _is_http_url(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _kind_name(kind: type) -> str:
    return {
        str: "text",
        bool: "true or false",
        dict: "a mapping",
        list: "a list",
        int: "a number",
        float: "a number",
        type(None): "empty",
    }.get(kind, kind.__name__)
