"""The config keys of the listeners' website: ``subscribe``, ``episodes_per_page`` and
``accent_color`` (read like ``persons``: raw YAML values in, checked values out)."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from publisher import weburl
from publisher.site.theme import SUBSCRIBE_APPS, accent_problem

DEFAULT_EPISODES_PER_PAGE = 20
# What to write instead of a wrong value (the hints of these keys' problems).
SUBSCRIBE_EXAMPLE = "subscribe: {apple_podcasts: https://podcasts.apple.com/podcast/id123456789}"
PER_PAGE_EXAMPLE = f"episodes_per_page: {DEFAULT_EPISODES_PER_PAGE}"
ACCENT_EXAMPLE = 'accent_color: {light: "#0b57b0", dark: "#8ab8ff"}'
Fail = Callable[..., None]  # fail(message, key, *subkeys, hint=...)


def subscribe(value: Any, fail: Fail) -> tuple[tuple[str, str], ...]:
    """``{app: https URL}`` from the closed set of apps -> ``((app, url), ...)`` in order."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        fail(
            "'subscribe' maps app names to the show's https URLs there",
            "subscribe",
            hint=f"write e.g. '{SUBSCRIBE_EXAMPLE}'",
        )
        return ()
    found = []
    for name, url in value.items():
        name = str(name)
        if name not in SUBSCRIBE_APPS:
            close = difflib.get_close_matches(name, list(SUBSCRIBE_APPS), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "known: " + ", ".join(SUBSCRIBE_APPS)
            fail(f"unknown app {name!r} in 'subscribe'", "subscribe", name, hint=hint)
            continue
        if not weburl.is_https(url):
            fail(
                f"'subscribe.{name}' must be an https:// URL",
                "subscribe",
                name,
                hint="write the https:// address of the show's page in that app",
            )
            continue
        found.append((name, url.strip()))
    return tuple(found)


def episodes_per_page(value: Any, fail: Fail) -> int:
    if value is None:
        return DEFAULT_EPISODES_PER_PAGE
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 500:
        fail(
            "'episodes_per_page' must be a whole number from 1 to 500",
            "episodes_per_page",
            hint=f"write e.g. '{PER_PAGE_EXAMPLE}'",
        )
        return DEFAULT_EPISODES_PER_PAGE
    return value


def accent_color(value: Any, fail: Fail) -> tuple[str, str] | None:
    """``{light: "#…", dark: "#…"}`` -> ``(light, dark)``, each with 4.5:1 contrast (WCAG)."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"light", "dark"} or len(value) != 2:
        fail(
            "'accent_color' needs exactly 'light' and 'dark' colours",
            "accent_color",
            hint=f"write e.g. '{ACCENT_EXAMPLE}' (quoted: YAML reads # as a comment)",
        )
        return None
    ok = True
    for scheme in ("light", "dark"):
        problem = accent_problem(scheme, value[scheme])
        if problem:
            fail(
                problem,
                "accent_color",
                scheme,
                hint="pick a darker (light) or lighter (dark) colour",
            )
            ok = False
    return (value["light"], value["dark"]) if ok else None
