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
    """A copy of ``item`` for citeproc-py: text escaped, CJK names as one literal name."""
    out: dict[str, Any] = {}
    for key, value in item.items():
        if isinstance(value, str):
            out[key] = _escape_field(value)
        elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
            out[key] = [
                {k: _escape_field(str(v)) for k, v in _cjk_literal(name).items()} for name in value
            ]
        else:
            out[key] = value  # dates: numbers, or a literal checked in bibliography.py
    return out


# Han ideographs (with extension A and the compatibility block), kana and Hangul: the scripts
# whose names CSL prints family name first with no space between the parts.
_CJK = re.compile(
    "[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af\U00020000-\U0002fa1f]"
)


def cjk_name(name: CslItem) -> bool:
    """Whether a CSL name is written in a CJK script (its family or given name is)."""
    return any(_CJK.search(str(name.get(part) or "")) for part in ("family", "given"))


def _cjk_literal(name: CslItem) -> CslItem:
    """A CJK name as the literal "familygiven" ("李世民"), which every style prints as is.

    CSL 1.0.2, "Name-part Order": names in these scripts are always written family name
    first, without a space and without initials, whatever the style asks of Latin names;
    citeproc-py applies the Latin rules to them ("李 世民", "李, . 世民 ."). Latin names in the
    same list keep their rules ("田中花子, Smith J.").
    """
    if "literal" in name or not cjk_name(name):
        return name
    parts = ("non-dropping-particle", "family", "given", "suffix")
    return {"literal": "".join(str(name[p]).strip() for p in parts if name.get(p))}


def running_text_author(item: CslItem) -> str:
    """How AMA names an entry's authors in running text ("As Hartvigsen et al put it").

    One author: the surname; two: "A and B"; three or more (or BibTeX's "and others"): the
    first author's surname and "et al" (AMA Manual of Style 11th ed., 3.11.7 and 2.2.1: no
    period after "et al" in text). Editors stand in for missing authors, an organisation by
    its name; an entry without names by its title. Plain text: the caller escapes it.
    """
    names = item.get("author") or item.get("editor") or []
    shown = [_surname(n) for n in names if isinstance(n, dict)]
    others = ET_AL_SENTINEL in shown
    shown = [n for n in shown if n and n != ET_AL_SENTINEL]
    if not shown:
        return re.sub(r"<[^>]*>", "", str(item.get("title") or item.get("id") or ""))
    if len(shown) >= 3 or others:
        return f"{shown[0]} et al"
    return " and ".join(shown)


def _surname(name: CslItem) -> str:
    if name.get("literal"):
        return str(name["literal"])
    particle = str(name.get("non-dropping-particle") or "")
    family = str(name.get("family") or name.get("given") or "")
    return f"{particle} {family}" if particle and not cjk_name(name) else family


# --- finishing an entry -------------------------------------------------------------------

_ET_AL = re.compile(r"(?:,?\s*(?:&amp;|&|and)\s+|,\s*|\s+)" + ET_AL_SENTINEL + r"\.?")
_PMID = re.compile(r"\s*(?:PMID\s*:?\s*)?(\d{1,9})\s*", re.IGNORECASE)
_PMCID = re.compile(r"\s*(?:PMCID\s*:?\s*)?(?:PMC)?(\d{1,9})\s*", re.IGNORECASE)


def _pmid(item: CslItem) -> str:
    """The entry's PubMed ID ("PMID: 123" as some exports write it → "123"), or ""."""
    m = _PMID.fullmatch(str(item.get("PMID") or ""))
    return m.group(1) if m else ""


def _pmcid(item: CslItem) -> str:
    """The entry's PMC ID as PMC writes it ("PMC123"; exports may drop "PMC"), or ""."""
    m = _PMCID.fullmatch(str(item.get("PMCID") or ""))
    return "PMC" + m.group(1) if m else ""


def pubmed_url(pmid: str) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


def pmc_url(pmcid: str) -> str:
    return f"https://www.ncbi.nlm.nih.gov/pmc/articles/{pmcid}/"


def identifier_links(item: CslItem, entry_html: str) -> str:
    """ "PMID: <link>; PMCID: <link>" for the IDs an entry has but its style did not print.

    Shown after the entry on the page and in ``content:encoded`` (the README promises the
    links; AMA prints neither ID, NLM prints both). "" when there is nothing to add.
    """
    links = []
    pmid, pmcid = _pmid(item), _pmcid(item)
    if pmid and pubmed_url(pmid) not in entry_html:
        links.append("PMID: " + external_link(pubmed_url(pmid), pmid))
    if pmcid and pmc_url(pmcid) not in entry_html:
        links.append("PMCID: " + external_link(pmc_url(pmcid), pmcid))
    return "; ".join(links)


def finish_entry(text: str, item: CslItem) -> str:
    text = text.strip()
    text = text.replace("<i>", "<em>").replace("</i>", "</em>")
    text = text.replace("<b>", "<strong>").replace("</b>", "</strong>")
    text = _ET_AL.sub(", et al.", text)
    text = text.replace(ET_AL_SENTINEL, "et al.")
    return linkify(no_doubled_punctuation(text, str(item.get("title") or "")), item)


# Closing tags and quotes that may stand between a title's own end and the style's mark.
_CLOSERS = r"(?:</(?:em|strong|i|b|span|sup|sub)>|[\u201d\u2019\"'\u00bb])"
_AFTER_MARK = re.compile(rf"([.?!]{_CLOSERS}*)\.")  # "deliver?." / "<em>Why?</em>."
_COMMA_AFTER_QM = re.compile(rf"([?!]{_CLOSERS}*),")  # IEEE: "“Wow!”," -> "“Wow!”"
_COMMA_AFTER_QUOTED = re.compile(rf"(\.{_CLOSERS}*[\u201d\u2019\"']{_CLOSERS}*),")


def no_doubled_punctuation(text: str, title: str = "") -> str:
    """The entry without a style's period (or comma) after a title's own end mark.

    A title ending in "?", "!" or "." keeps its mark and the style's "." after it goes
    ("…can health systems deliver?." → "…deliver?"), also when italics or quotes close in
    between; a "," goes after "?"/"!", and after "." only inside quotes ("period.”,"), not
    after an initial or abbreviation ("Doe, J., &") unless it ends the ``title`` itself
    ("<em>…deliver.</em>, vol. 1"). CSL 1.0.2, "Punctuation": a delimiter or affix is
    suppressed after the same or stronger punctuation; pandoc does the same. The entry has
    no links yet, so no attribute holds these marks.
    """
    text = _AFTER_MARK.sub(r"\1", text)
    text = _COMMA_AFTER_QM.sub(r"\1", text)
    text = _COMMA_AFTER_QUOTED.sub(r"\1", text)
    words = html.escape(title, quote=False).split()
    if words and words[-1].endswith(".") and len(words[-1]) > 1:
        end = re.compile(rf"(\b{re.escape(words[-1])}{_CLOSERS}*),", re.IGNORECASE)
        text = end.sub(r"\1", text, count=1)
    return text


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
    pmid, pmcid = _pmid(item), _pmcid(item)
    if pmid and "PMID" in text:  # a bare number could be a year or a page: only after "PMID"
        text = _wrap_once(text, pmid, pubmed_url(pmid), text.index("PMID"))
    if pmcid:
        text = _wrap_once(text, pmcid, pmc_url(pmcid))
    url = str(item.get("URL") or "").strip()
    if url and re.match(r"https?://", url, re.I) and not re.search(r"\s", url):
        text = _wrap_once(text, html.escape(url, quote=False), url)
    return text


def _wrap_once(text: str, shown: str, href: str, start: int = 0) -> str:
    """Wrap the first occurrence of ``shown`` from ``start`` that is outside any tag or link."""
    while (i := text.find(shown, start)) >= 0:
        before = text[:i]
        inside_tag = before.rfind("<") > before.rfind(">")
        inside_link = before.rfind("<a ") > before.rfind("</a>")
        if not inside_tag and not inside_link:
            return before + external_link(href, shown) + text[i + len(shown) :]
        start = i + 1
    return text
