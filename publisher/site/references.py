"""An episode's references to take away: RIS, BibTeX, CSL-JSON and COinS (pure).

Written by hand because no well-kept Python library writes RIS or COinS from CSL-JSON (citeproc-py
formats for people, pybtex reads BibTeX but its writer needs its own data model and loses CSL
fields such as PMID). The field maps follow the RIS specification (Research Information Systems,
as Zotero and EndNote read it), BibTeX as biblatex/Zotero read it, and the OpenURL 1.0 KEV
"ContextObjects in Spans" convention (Z39.88-2004) that Zotero's browser connector reads.
Every value is untrusted text: RIS and BibTeX values are made single-line and BibTeX's special
characters escaped; COinS is URL-encoded (and HTML-escaped by the template).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

CslItem = Mapping[str, Any]

_RIS_TYPES = {
    "article-journal": "JOUR",
    "article-magazine": "MGZN",
    "article-newspaper": "NEWS",
    "book": "BOOK",
    "chapter": "CHAP",
    "paper-conference": "CPAPER",
    "report": "RPRT",
    "thesis": "THES",
    "webpage": "ELEC",
    "post-weblog": "BLOG",
    "dataset": "DATA",
    "broadcast": "SOUND",
    "song": "SOUND",
    "legislation": "STAT",
    "legal_case": "CASE",
    "patent": "PAT",
}
_BIBTEX_TYPES = {
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "book": "book",
    "chapter": "incollection",
    "paper-conference": "inproceedings",
    "report": "techreport",
    "thesis": "phdthesis",
}
_ET_AL = "Zq9EtAlSentinelQz"  # notes' marker for BibTeX "and others": not a person


def names(item: CslItem, role: str = "author") -> list[dict[str, str]]:
    """The people of ``role``, without the et-al marker, as ``{"family", "given"}`` or
    ``{"literal"}``."""
    out = []
    for person in item.get(role) or ():
        if not isinstance(person, Mapping):
            continue
        if _ET_AL in (str(person.get("family", "")) + str(person.get("literal", ""))):
            continue
        out.append(
            {k: _line(str(v)) for k, v in person.items() if k in ("family", "given", "literal")}
        )
    return out


def year(item: CslItem) -> str | None:
    parts = (
        (item.get("issued") or {}).get("date-parts")
        if isinstance(item.get("issued"), Mapping)
        else None
    )
    if parts and parts[0] and str(parts[0][0]).lstrip("-").isdigit():
        return str(parts[0][0])
    return None


def doi(item: CslItem) -> str | None:
    value = item.get("DOI")
    return _line(str(value)) if value else None


def _line(text: str) -> str:
    """One line of plain text: a value may not start another RIS tag or BibTeX field."""
    return " ".join(re.sub(r"<[^>]{0,40}>", "", text).split())


def _text(item: CslItem, field: str) -> str | None:
    value = item.get(field)
    if value is None or isinstance(value, (Mapping, list)):
        return None
    text = _line(str(value))
    return text or None


def _person_text(p: Mapping[str, str]) -> str:
    if "literal" in p:
        return p["literal"]
    return ", ".join(x for x in (p.get("family", ""), p.get("given", "")) if x)


def ris(items: Sequence[CslItem]) -> bytes:
    """RIS records for ``items`` (CRLF line ends, as the format's readers expect)."""
    lines: list[str] = []
    for item in items:
        lines.append(f"TY  - {_RIS_TYPES.get(str(item.get('type')), 'GEN')}")
        for p in names(item):
            lines.append(f"AU  - {_person_text(p)}")
        for p in names(item, "editor"):
            lines.append(f"ED  - {_person_text(p)}")
        pairs = [
            ("TI", _text(item, "title")),
            ("T2", _text(item, "container-title")),
            ("J2", _text(item, "container-title-short") or _text(item, "journalAbbreviation")),
            ("PY", year(item)),
            ("VL", _text(item, "volume")),
            ("IS", _text(item, "issue")),
            ("PB", _text(item, "publisher")),
            ("SN", _text(item, "ISSN") or _text(item, "ISBN")),
            ("DO", doi(item)),
            ("UR", _text(item, "URL")),
            ("AN", f"PMID:{_text(item, 'PMID')}" if _text(item, "PMID") else None),
        ]
        page = _text(item, "page")
        if page:
            start, _, end = page.replace("–", "-").partition("-")
            pairs += [("SP", start.strip()), ("EP", end.strip() or None)]
        lines += [f"{tag}  - {value}" for tag, value in pairs if value]
        lines.append("ER  - ")
        lines.append("")
    return "\r\n".join(lines).encode("utf-8")


_BIBTEX_SPECIAL = re.compile(r"([\\{}%&$#_^~])")


def _bibtex_value(text: str) -> str:
    def escape(m: re.Match[str]) -> str:
        c = m.group(1)
        special = {
            "\\": r"{\textbackslash}",
            "^": r"{\textasciicircum}",
            "~": r"{\textasciitilde}",
            # BibTeX counts braces even when escaped: a lone one would end the field
            "{": r"{\textbraceleft}",
            "}": r"{\textbraceright}",
        }
        return special.get(c, "\\" + c)

    return _BIBTEX_SPECIAL.sub(escape, text)


def bibtex_key(key: str) -> str:
    """A citation key BibTeX can read back: letters, digits and ``-_:.``."""
    safe = re.sub(r"[^A-Za-z0-9_:.-]", "", key)
    return safe or "ref"


def bibtex(entries: Sequence[tuple[str, CslItem]]) -> bytes:
    """BibTeX entries for ``(key, item)`` pairs."""
    out = []
    for key, item in entries:
        kind = _BIBTEX_TYPES.get(str(item.get("type")), "misc")
        fields: list[tuple[str, str | None]] = [
            ("author", " and ".join(_bibtex_person(p) for p in names(item)) or None),
            ("editor", " and ".join(_bibtex_person(p) for p in names(item, "editor")) or None),
            ("title", _text(item, "title")),
            ("journal" if kind == "article" else "booktitle", _text(item, "container-title")),
            ("year", year(item)),
            ("volume", _text(item, "volume")),
            ("number", _text(item, "issue")),
            ("pages", (_text(item, "page") or "").replace("–", "--") or None),
            ("publisher", _text(item, "publisher")),
            ("doi", doi(item)),
            ("url", _text(item, "URL")),
            ("pmid", _text(item, "PMID")),
            ("pmcid", _text(item, "PMCID")),
        ]
        body = ",\n".join(
            f"  {name} = {{{_field_value(name, value)}}}" for name, value in fields if value
        )
        out.append(f"@{kind}{{{bibtex_key(key)},\n{body}\n}}\n")
    return "\n".join(out).encode("utf-8")


def _field_value(name: str, value: str) -> str:
    return _url_value(value) if name in ("url", "doi") else _bibtex_value(value)


def _url_value(text: str) -> str:
    # URLs and DOIs are verbatim in biblatex; only braces and backslashes could break out.
    return text.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def _bibtex_person(p: Mapping[str, str]) -> str:
    if "literal" in p:
        return "{" + _bibtex_value(p["literal"]) + "}"
    return _bibtex_value(", ".join(x for x in (p.get("family", ""), p.get("given", "")) if x))


def csl_json(entries: Sequence[tuple[str, CslItem]]) -> bytes:
    """CSL-JSON: the items as read from the bibliography, ``id`` set to the citation key."""
    clean = []
    for key, item in entries:
        record = {k: v for k, v in item.items() if k not in ("id", "author", "editor")}
        for role in ("author", "editor"):
            if item.get(role):
                record[role] = names(item, role)
        clean.append({"id": key, **record})
    return (
        json.dumps(clean, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"
    ).encode()


def coins(item: CslItem) -> str:
    """The ``title`` of a COinS span (``<span class="Z3988" title="…">``): OpenURL KEV."""
    kind = str(item.get("type"))
    journal = kind.startswith("article")
    pairs: list[tuple[str, str]] = [
        ("ctx_ver", "Z39.88-2004"),
        ("rft_val_fmt", f"info:ofi/fmt:kev:mtx:{'journal' if journal else 'book'}"),
    ]
    if doi(item):
        pairs.append(("rft_id", f"info:doi/{doi(item)}"))
    if _text(item, "PMID"):
        pairs.append(("rft_id", f"info:pmid/{_text(item, 'PMID')}"))
    if _text(item, "URL"):
        pairs.append(("rft_id", str(_text(item, "URL"))))
    title = _text(item, "title")
    if journal:
        pairs.append(("rft.genre", "article"))
        if title:
            pairs.append(("rft.atitle", title))
        if _text(item, "container-title"):
            pairs.append(("rft.jtitle", str(_text(item, "container-title"))))
    else:
        pairs.append(("rft.genre", "bookitem" if kind == "chapter" else "book"))
        if title:
            pairs.append(("rft.btitle" if kind != "chapter" else "rft.atitle", title))
    for p in names(item):
        if "literal" in p:
            pairs.append(("rft.au", p["literal"]))
        else:
            pairs.append(("rft.aulast", p.get("family", "")))
            if p.get("given"):
                pairs.append(("rft.aufirst", p["given"]))
    for field, key in (("volume", "rft.volume"), ("issue", "rft.issue"), ("page", "rft.pages"),
                       ("ISSN", "rft.issn"), ("publisher", "rft.pub")):  # fmt: skip
        if _text(item, field):
            pairs.append((key, str(_text(item, field))))
    if year(item):
        pairs.append(("rft.date", str(year(item))))
    return urlencode(pairs)
