"""Show notes: Markdown with citations and a bibliography → three safe HTML renderings.

Modules: ``csl`` (the CSL vocabulary: item types, name and date variables, the DOI
normaliser, the et-al marker), ``bibliography`` (the Bibliography, CSL-JSON/CSL-YAML),
``bibtex`` (BibTeX via pybtex → CSL items), ``citations`` (CSL styles via citeproc-py),
``entries`` (escaping fields for citeproc-py and finishing its HTML: punctuation, names,
links), ``markdown`` (the parser and token facts), ``citesyntax`` (pandoc's ``[@key]``
syntax and number collapsing), ``renderers`` (website and ``content:encoded``),
``description`` (the feed's description), ``sanitise`` (the allow-lists), ``render``
(``render_notes``, which runs them in order).
"""

from __future__ import annotations

from publisher.notes.bibliography import Bibliography, load_bibliography
from publisher.notes.citations import DEFAULT_STYLE, CitationStyle, load_style
from publisher.notes.description import DESCRIPTION_LIMIT
from publisher.notes.render import render_notes, unknown_citations
from publisher.notes.sanitise import sanitise_transcript

__all__ = [
    "DEFAULT_STYLE",
    "DESCRIPTION_LIMIT",
    "Bibliography",
    "CitationStyle",
    "load_bibliography",
    "load_style",
    "render_notes",
    "sanitise_transcript",
    "unknown_citations",
]
