"""``persons`` in feed_config.yaml and front matter -> Person values (C-14, podcast:person).

A person is a name, or a mapping with ``name`` and optional ``role``, ``group``, ``img`` and
``href``. Roles and groups follow the Podcast Taxonomy Project (lower case, e.g. "host",
"guest", "cast"); images and links must be absolute https URLs (D-04).
"""

from __future__ import annotations

from typing import Any

from publisher import weburl
from publisher.config.schema import Context, Mismatch, check_keys
from publisher.model import Person

_KEYS = ("name", "role", "group", "img", "href")
_EXAMPLE_URLS = {"img": "https://example.org/ana-lee.jpg", "href": "https://example.org/ana-lee"}
_PERSON_HINT = "write e.g. '- Ana Lee' or '- {name: Ana Lee, role: guest}'"


def is_https_url(url: object) -> bool:
    """True for an absolute, ASCII ``https://host/…`` URL (D-04: every podcast:* URL)."""
    return weburl.is_https(url)


def parse_persons(value: Any, context: Context) -> tuple[Person, ...]:
    """Persons from a YAML list of names or mappings. Raises Mismatch for a value that is not
    a list; reports each bad person through ``context`` at its list index."""
    if not isinstance(value, list):
        raise Mismatch
    found: list[Person] = []
    for i, raw in enumerate(value):
        spec = {"name": raw} if isinstance(raw, str) else raw
        if not isinstance(spec, dict):
            context.fail("a person is a name or a mapping with 'name'", i, hint=_PERSON_HINT)
            continue
        if any(str(k) not in _KEYS for k in spec):
            check_keys(spec, _KEYS, context.fail, i)
            continue
        name = spec.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 128:
            context.fail(
                "a person needs a 'name' of at most 128 characters [C-14]", i, hint=_PERSON_HINT
            )
            continue
        role = str(spec.get("role") or "host").strip().lower()
        group = str(spec.get("group") or "cast").strip().lower()
        links: dict[str, str | None] = {}
        for key in ("img", "href"):
            url = spec.get(key)
            ok = url is None or is_https_url(url)
            if not ok:
                context.fail(
                    f"a person's '{key}' must be an absolute https:// URL [D-04]",
                    i,
                    key,
                    hint=f"write e.g. '{key}: {_EXAMPLE_URLS[key]}'",
                )
            links[key] = url.strip() if ok and isinstance(url, str) else None
        found.append(Person(name.strip(), role, group, links["img"], links["href"]))
    return tuple(found)
