"""Reference entries before and after citeproc-py: escaping fields, finishing the HTML.

:func:`escape_item` escapes an item's text fields for citeproc-py (which escapes only the
style's own text); :func:`finish_entry` turns citeproc-py's HTML into ours: ``<em>`` and
``<strong>``, BibTeX's "and others" as the style's "et al.", no doubled closing punctuation
after a title's own, and links for the DOI, PubMed ID, PMC ID and URL the entry prints.
No third-party import: it works on strings.
"""

from __future__ import annotations

import html
import re
from typing import Any

from publisher.notes.csl import ET_AL_SENTINEL, CslItem, doi_url, normalise_doi

# citeproc-py escapes the style's own text but not the variables: fields are escaped here,
# keeping only the plain rich-text tags Zotero writes into CSL-JSON (no attributes, so inert).
_RICH_TEXT = ("i", "b", "sup", "sub")


def _escape_field(value: str) -> str:
    text = html.escape(value, quote=False)
    for tag in _RICH_TEXT:
        text = text.replace(f"&lt;{tag}&gt;", f"<{tag}>").replace(f"&lt;/{tag}&gt;", f"</{tag}>")
    return text.replace('&lt;span class="nocase"&gt;', '<span class="nocase">').replace(
        "&lt;/span&gt;", "</span>"
    )


def escape_item(item: CslItem) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in item.items():
        if isinstance(value, str):
            out[key] = _escape_field(value)
        elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
            out[key] = [{k: _escape_field(str(v)) for k, v in name.items()} for name in value]
        else:
            out[key] = value  # dates: numbers, or a literal checked in bibliography.py
    return out


# --- finishing an entry -------------------------------------------------------------------

_ET_AL = re.compile(r"(?:,?\s*(?:&amp;|&|and)\s+|,\s*|\s+)" + ET_AL_SENTINEL + r"\.?")
_PMID = re.compile(r"\d{1,9}")
_PMCID = re.compile(r"PMC\d{1,9}")


def finish_entry(text: str, item: CslItem) -> str:
    text = text.strip()
    text = text.replace("<i>", "<em>").replace("</i>", "</em>")
    text = text.replace("<b>", "<strong>").replace("</b>", "</strong>")
    text = _ET_AL.sub(", et al.", text)
    text = text.replace(ET_AL_SENTINEL, "et al.").replace("et al..", "et al.")
    return linkify(text, item)


def external_link(href: str, label_html: str) -> str:
    """An external link: the producer's sites are not vouched for, so ``nofollow``."""
    return f'<a href="{html.escape(href)}" rel="nofollow noopener">{label_html}</a>'


def linkify(text: str, item: CslItem) -> str:
    """Turn the DOI, PMID, PMCID and URL printed in an entry into links (once each)."""
    doi = normalise_doi(str(item.get("DOI") or ""))
    if doi:
        href = doi_url(doi)
        esc = html.escape(doi, quote=False)
        for shown in ("https://doi.org/" + esc, "http://dx.doi.org/" + esc, esc):
            if shown in text:
                text = _wrap_once(text, shown, href)
                break
    pmid = str(item.get("PMID") or "").strip()
    if _PMID.fullmatch(pmid):
        text = _wrap_once(text, pmid, f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/")
    pmcid = str(item.get("PMCID") or "").strip()
    if _PMCID.fullmatch(pmcid):
        text = _wrap_once(text, pmcid, f"https://www.ncbi.nlm.nih.gov/pmc/articles/{pmcid}/")
    url = str(item.get("URL") or "").strip()
    if url and re.match(r"https?://", url, re.I) and not re.search(r"\s", url):
        text = _wrap_once(text, html.escape(url, quote=False), url)
    return text


def _wrap_once(text: str, shown: str, href: str) -> str:
    """Wrap the first occurrence of ``shown`` that is outside any tag or link."""
    start = 0
    while (i := text.find(shown, start)) >= 0:
        before = text[:i]
        inside_tag = before.rfind("<") > before.rfind(">")
        inside_link = before.rfind("<a ") > before.rfind("</a>")
        if not inside_tag and not inside_link:
            return before + external_link(href, shown) + text[i + len(shown) :]
        start = i + 1
    return text
