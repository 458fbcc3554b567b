"""Pandoc's citation syntax in the notes, and the parts of a printed numeric citation.

Two inline rules for the Markdown parser read ``[@key]``, ``[see @a, p. 33; @b]`` and the
in-text ``@key`` into :class:`Cite` values, splitting a locator from its suffix as pandoc
does; :func:`collapse` groups citation numbers into runs (1–4) and :func:`locator_text` prints
a locator the AMA way ((p33)). The rules only use the state markdown-it hands them, so
markdown-it is imported for its types alone: :mod:`.markdown` stays its only real importer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from markdown_it.rules_inline import StateInline

# Pandoc's citation keys: start with a word character, may contain internal punctuation.
_KEY = r"[\w](?:[\w:.#$%&+?<>~/-]*[\w])?"
_CITE = re.compile(rf"^\s*(?P<prefix>(?:[^@;]*\s)?)-?@(?P<key>{_KEY})(?P<suffix>[^@;]*)$")


@dataclass(frozen=True)
class Cite:
    key: str
    locator: str  # "" or as written after the comma, e.g. "p. 33"
    prefix: str = ""  # pandoc's text before the key: "see" in [see @key]
    suffix: str = ""  # text after the locator: ", fig. 2" in [@key, pp. 33-35, fig. 2]

    def __bool__(self) -> bool:
        """True when the cite carries text beyond its number (it then stays out of ranges)."""
        return bool(self.locator or self.prefix or self.suffix)


# A locator: a label pandoc knows (or none: a page), then numbers, ranges and lists of them
# ("33", "33-35", "3, 5", "iv"); what follows (", fig. 2" after a page) is a suffix.
_LOCATOR = re.compile(
    r"(?P<label>(?:[A-Za-z]+(?:\.\s*|\s+))?)"
    r"(?P<value>[\w\-–]*\d[\w\-–]*(?:\s*(?:,|&|and)\s*[\w\-–]*\d[\w\-–]*)*"
    r"|[ivxlcdm]+\b)",
    re.I,
)


def _split_suffix(suffix: str) -> tuple[str, str]:
    """(locator, rest) from what follows the key, as pandoc splits them."""
    text = suffix.strip()
    if text.startswith(","):
        text = text[1:].strip()
    m = _LOCATOR.match(text)
    if m is None or (m.group("label") and m.group("label").strip().lower() not in _LOCATOR_LABELS):
        return "", suffix.strip() if suffix.strip() != "," else ""
    return text[: m.end()].strip(), text[m.end() :].rstrip()


# --- parsing ----------------------------------------------------------------------------


def citation_rule(state: StateInline, silent: bool) -> bool:
    """Pandoc's bracketed citation: ``[@key]``, ``[see @a, p. 33; @b]``."""
    start = state.pos
    src = state.src
    if src[start] != "[" or start + 1 >= state.posMax or src[start + 1] == "^":
        return False
    if state.linkLevel > 0:
        return False  # inside a link's text a citation link would nest: it stays text
    end = src.find("]", start + 1)
    if end < 0 or end > state.posMax or "[" in src[start + 1 : end]:
        return False
    if end + 1 < len(src) and src[end + 1] in "([" and not src.startswith("[^", end + 1):
        return False  # [@x](url) and [@x][ref] are links, as in pandoc; [@x][^note] is not
    cites: list[Cite] = []
    for part in src[start + 1 : end].split(";"):
        m = _CITE.match(part)
        if m is None:
            return False
        locator, suffix = _split_suffix(m.group("suffix"))
        cites.append(Cite(m.group("key"), locator, " ".join(m.group("prefix").split()), suffix))
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"cites": tuple(cites), "pos": start}
        token.content = src[start : end + 1]
    state.pos = end + 1
    return True


_NARRATIVE = re.compile(rf"@(?P<key>{_KEY})(?:\s?\[(?P<locator>[^\[\]@;]*)\](?![(\[]))?")


def narrative_rule(state: StateInline, silent: bool) -> bool:
    """Pandoc's in-text citation ``@key`` (or ``@key [p. 33]``), for known keys only.

    The token is marked ``narrative``: the renderers print the authors as AMA names them in
    running text, then the number as for ``[@key]``. ``@`` after a letter or digit is an e-mail
    address, and ``@name`` that is not a key in the bibliography is a social-media handle:
    both stay text (pandoc would print "name?" and warn). Each such handle is noted in the
    env's ``handles`` list, when there is one, as (the inline text, its offset, the name):
    one close to a key is probably a typo of it, which the caller may warn about.
    """
    start = state.pos
    src = state.src
    # After "[": an escaped "\\[@key]" (the producer wants the text) or a link's label.
    if src[start] != "@" or (start > 0 and (src[start - 1].isalnum() or src[start - 1] in "_@[")):
        return False
    if state.linkLevel > 0:
        return False
    m = _NARRATIVE.match(src, start, state.posMax)
    if m is None:
        return False
    if m.group("key") not in state.env.get("citation_keys", ()):
        if not silent and "handles" in state.env:
            state.env["handles"].append((state.src, start, m.group("key")))
        return False
    locator, suffix = _split_suffix(m.group("locator") or "")
    if not silent:
        token = state.push("citation", "", 0)
        cite = Cite(m.group("key"), locator, "", suffix)
        token.meta = {"cites": (cite,), "pos": start, "narrative": True}
        token.content = m.group(0)
    state.pos = m.end()
    return True


# --- numbers ----------------------------------------------------------------------------


_A = TypeVar("_A", str, Cite)


def collapse(numbers: Sequence[tuple[int, _A]], *, enabled: bool) -> list[tuple[int, int, _A]]:
    """Sorted, de-duplicated (first, last, locator) runs; runs of 3+ collapse (1–4, 1,2).

    A number with a locator (or a cite with a prefix or suffix) stays on its own.
    """
    seen: dict[int, _A] = {}
    for n, loc in numbers:
        if n not in seen or (loc and not seen[n]):
            seen[n] = loc
    runs: list[tuple[int, int, _A]] = []
    for n in sorted(seen):
        loc = seen[n]
        if runs and enabled and not loc and not runs[-1][2] and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n, loc)
        else:
            runs.append((n, n, loc))
    out: list[tuple[int, int, _A]] = []
    for a, b, loc in runs:
        if b - a >= 2:
            out.append((a, b, loc))
        else:
            out.extend((n, n, loc) for n in range(a, b + 1))
    return out


_LOCATOR_LABELS = {
    "p.": "p", "pp.": "pp", "page": "p", "pages": "pp", "chap.": "chap", "chapter": "chap",
    "sec.": "sec", "section": "sec", "fig.": "fig", "figure": "fig", "tbl.": "table",
    "table": "table", "para.": "para", "vol.": "vol", "p": "p", "pp": "pp", "ch.": "chap",
    "fig": "fig", "figs.": "figs", "sect.": "sec", "l.": "l", "n.": "n", "no.": "no",
}  # fmt: skip


def locator_text(locator: str) -> str:
    """AMA's form of a locator: "p. 33" → "(p33)"; an unlabelled one is a page."""
    if not locator:
        return ""
    m = re.match(r"(\S+)\s*(.*)", locator)
    assert m is not None
    label, rest = m.group(1).lower(), m.group(2)
    if label in _LOCATOR_LABELS and rest:
        return f"({_LOCATOR_LABELS[label]}{_range(rest)})"
    if locator[:1].isdigit() or re.fullmatch(r"[ivxlcdm]+", locator, re.I):
        return f"(p{_range(locator)})"  # pandoc: a locator without a label is a page
    return f"({locator})"


def _range(text: str) -> str:
    # "33--35" (LaTeX habit) and "33–35" print as the style's page ranges do: "33-35".
    return re.sub(r"\s*(?:--|–)\s*", "-", text)
