"""The site's colours and the apps a show can be subscribed in: what the config may set.

Accent colours are checked against the page backgrounds of ``static/style.css`` with WCAG 2.1's
contrast ratio (success criterion 1.4.3: at least 4.5:1 for body text, since links are text).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from publisher import layout

# The page backgrounds of static/style.css (--bg), light and dark.
BACKGROUNDS = {"light": "#fdfcf9", "dark": "#16171a"}
MIN_CONTRAST = 4.5
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")

# The closed set of apps for the config's `subscribe:` mapping, with their button labels.
SUBSCRIBE_APPS = {
    "apple_podcasts": "Apple Podcasts",
    "spotify": "Spotify",
    "youtube_music": "YouTube Music",
    "amazon_music": "Amazon Music",
    "overcast": "Overcast",
    "pocket_casts": "Pocket Casts",
    "castro": "Castro",
    "podcast_addict": "Podcast Addict",
    "antennapod": "AntennaPod",
    "podcast_index": "Podcast Index",
}


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#rgb``/``#rrggbb`` colours, 1.0 to 21.0."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def accent_problem(scheme: str, colour: object) -> str | None:
    """Why ``colour`` cannot be the ``scheme`` ("light"/"dark") accent, or None."""
    if not isinstance(colour, str) or not _HEX.match(colour):
        return f"accent_color.{scheme} must be a CSS hex colour like '#0b57b0'"
    ratio = contrast(colour, BACKGROUNDS[scheme])
    if ratio < MIN_CONTRAST:
        return (
            f"accent_color.{scheme} {colour} has contrast {ratio:.2f}:1 with the "
            f"{scheme} background {BACKGROUNDS[scheme]}; links need at least {MIN_CONTRAST}:1"
        )
    return None


@cache
def _package_css() -> bytes:
    return resources.files("publisher.site").joinpath("static", layout.STYLESHEET_KEY).read_bytes()


def stylesheet(accent: tuple[str, str] | None) -> bytes:
    css = _package_css()
    if accent is None:
        return css
    light, dark = accent
    return (
        css
        + (
            f"\n/* the show's accent_color */\n:root {{ --link: {light}; }}\n"
            f"@media (prefers-color-scheme: dark) {{ :root {{ --link: {dark}; }} }}\n"
        ).encode()
    )


@cache
def script() -> bytes:
    return resources.files("publisher.site").joinpath("static", layout.SCRIPT_KEY).read_bytes()
