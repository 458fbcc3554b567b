"""``persons`` in feed_config.yaml and front matter -> Person values (C-14, podcast:person).

A person is a name, or a mapping with ``name`` and optional ``role``, ``group``, ``img`` and
``href``. Roles and groups follow the Podcast Taxonomy Project (lower case, e.g. "host",
"guest", "cast"); images and links must be absolute https URLs (D-04).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from publisher.model import Person

_KEYS = ("name", "role", "group", "img", "href")


def parse_persons(value: Any, fail: Callable[[str, int | None], None]) -> tuple[Person, ...]:
    """Persons from a YAML value; ``fail(message, index)`` reports each problem."""
    if value is None:
        return ()
    if not isinstance(value, list):
        fail("'persons' must be a list of names or of {name, role, group, img, href}", None)
        return ()
    found: list[Person] = []
    for i, raw in enumerate(value):
        spec = {"name": raw} if isinstance(raw, str) else raw
        if not isinstance(spec, dict):
            fail("a person is a name or a mapping with 'name'", i)
            continue
        unknown = sorted(set(map(str, spec)) - set(_KEYS))
        if unknown:
            fail(f"unknown person field '{unknown[0]}' (allowed: {', '.join(_KEYS)})", i)
            continue
        name = spec.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 128:
            fail("a person needs a 'name' of at most 128 characters [C-14]", i)
            continue
        role = str(spec.get("role") or "host").strip().lower()
        group = str(spec.get("group") or "cast").strip().lower()
        links: dict[str, str | None] = {}
        for key in ("img", "href"):
            url = spec.get(key)
            ok = url is None or (
                isinstance(url, str) and url.isascii() and urlsplit(url).scheme == "https"
                and bool(urlsplit(url).netloc)
            )  # fmt: skip
            if not ok:
                fail(f"a person's '{key}' must be an absolute https:// URL [D-04]", i)
            links[key] = url.strip() if ok and isinstance(url, str) else None
        found.append(Person(name.strip(), role, group, links["img"], links["href"]))
    return tuple(found)
