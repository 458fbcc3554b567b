"""Site stage: a Show and its items -> the listeners' pages (``render``, the only jinja2
import, with its ``templates/`` and ``static/``).

The names below load :mod:`publisher.site.render` (and jinja2) on first use, so that what
needs only :mod:`publisher.site.theme` (the config's check of ``subscribe``) stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from publisher.site.render import Part, render_site, site_parts

__all__ = ["Part", "render_site", "site_parts"]


def __getattr__(name: str) -> object:
    """:mod:`publisher.site.render`'s names, imported on first use (PEP 562)."""
    if name in __all__:
        return getattr(importlib.import_module("publisher.site.render"), name)
    raise AttributeError(f"module 'publisher.site' has no attribute {name!r}")
