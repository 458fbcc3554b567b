"""Show notes: Markdown with citations and a bibliography → three safe HTML renderings.

Modules: ``markdown`` (parsing and the three renderers), ``citesyntax`` (pandoc's ``[@key]``
syntax and number collapsing), ``bibliography`` (the Bibliography, CSL-JSON/CSL-YAML),
``bibtex`` (BibTeX via pybtex → CSL items), ``citations`` (CSL styles, reference entries),
``sanitise`` (the allow-lists), ``render`` (``render_notes``, which runs them in order).
"""

from __future__ import annotations

from publisher.notes.bibliography import Bibliography, load_bibliography
from publisher.notes.citations import DEFAULT_STYLE, CitationStyle, load_style
from publisher.notes.render import DESCRIPTION_LIMIT, render_notes

__all__ = [
    "DEFAULT_STYLE",
    "DESCRIPTION_LIMIT",
    "Bibliography",
    "CitationStyle",
    "load_bibliography",
    "load_style",
    "render_notes",
]
