"""The CSL vocabulary both bibliography readers and the style share (no third-party import).

CSL-JSON items are plain mappings (:data:`CslItem`); this module names the variables that
hold names and dates, the item types, the marker that carries BibTeX's "and others" through
citeproc-py (:data:`ET_AL_SENTINEL`), and the one DOI normaliser (:func:`normalise_doi`,
with :func:`doi_url`) every reader and the linker use. Source: CSL 1.0.2 specification,
"Appendix III - Types" and "Appendix IV - Variables"; DOI syntax from the DOI Handbook 2.2.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote

CslItem = Mapping[str, Any]

NAME_FIELDS = ("author", "editor", "translator", "container-author")
DATE_FIELDS = ("issued", "accessed", "original-date", "event-date", "submitted")

# CSL 1.0.2 item types (Appendix III); an item of another type is rendered as "document".
ITEM_TYPES = frozenset(
    """article article-journal article-magazine article-newspaper bill book broadcast chapter
    classic collection dataset document entry entry-dictionary entry-encyclopedia event figure
    graphic hearing interview legal_case legislation manuscript map motion_picture
    musical_score pamphlet paper-conference patent performance periodical personal_communication
    post post-weblog regulation report review review-book software song speech standard thesis
    treaty webpage""".split()  # noqa: SIM905 (the list as CSL's Appendix III prints it)
)

# BibTeX's "and others" is not a name; it travels to citeproc as this literal name and is
# turned into the style's "et al." after rendering (see entries.py). Plain ASCII letters so
# that no formatter escapes or re-cases it.
ET_AL_SENTINEL = "Zq9EtAlSentinelQz"

# Every prefix exporters put before a DOI: "doi:", "DOI: ", "info:doi/", and resolver URLs
# with or without a scheme, "www." or "dx.", on doi.org or the older dx.doi.org.
_DOI_PREFIX = re.compile(
    r"^(?:(?:https?:/*)?(?:www\.|dx\.)?doi\.org/+|info:doi/|doi\s*:\s*)", re.IGNORECASE
)
# What may follow a DOI in a field but is not part of it: spaces and sentence punctuation;
# a closing bracket only when it closes nothing inside the DOI ("…(199706)" keeps its own).
_DOI_TRAILING = ".,;:\"' \t\r\n\u00a0"
_BRACKETS = {")": "(", "]": "[", "}": "{", ">": "<"}


def normalise_doi(doi: str) -> str:
    """The bare DOI (``10.xxxx/…``) from any form an export writes; "" when none is given.

    Strips whitespace, any ``doi:``/resolver prefix (repeated ones too), percent-encoding
    (``10.1234%2Fa.6`` → ``10.1234/a.6``) and trailing punctuation. A style prints its own
    prefix, so a DOI kept with one would print "doi:https://doi.org/10…" or link twice.
    """
    text = doi.strip()
    if "%" in text:
        text = unquote(text)
    previous = None
    while previous != text:
        previous = text
        text = _DOI_PREFIX.sub("", text.strip())
    if not text.startswith("10."):
        return text.strip()
    while text and (
        text[-1] in _DOI_TRAILING
        or (text[-1] in _BRACKETS and text.count(text[-1]) > text.count(_BRACKETS[text[-1]]))
    ):
        text = text[:-1]
    return text


def doi_url(doi: str) -> str:
    """``https://doi.org/`` + the DOI, percent-encoded where a URL needs it (RFC 3986)."""
    return "https://doi.org/" + quote(normalise_doi(doi), safe="/:;()._-<>[]")
