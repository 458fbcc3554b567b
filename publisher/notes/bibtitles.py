"""BibTeX title text before pybtex sees it: sentence case, and LaTeX font commands.

:func:`sentence_case` reads a title the way pandoc 3 does for CSL; :func:`font_commands`
turns ``\\emph{x}`` and friends into the rich-text tags CSL-JSON uses, which pybtex's text
backend would print as "\\emph x". Plain string work, no third-party import.
"""

from __future__ import annotations

import re

_SENTENCE_END = ":?!."


def sentence_case(latex: str) -> str:
    r"""A BibTeX title in Title Case or sentence case -> sentence case, as pandoc 3 reads it.

    BibTeX titles are conventionally stored in Title Case and protected with braces where the
    case matters; CSL styles (AMA among them) expect sentence case and capitalise themselves
    where they want title case. Outside protecting braces (a command's argument, as in
    ``\emph{Acute}``, is not protected): a capitalised, otherwise lower-case word is lowered
    ("Disease", "Parkinson's"), except the first word and the first after ":", "?", "!" or
    "." and a space, which is capitalised when it is all lower case ("subjects: A seven-year
    follow-up study"; AMA Manual of Style 11th ed., 3.9.2 capitalises a subtitle too). Kept:
    braced text, acronyms and mixed case ("MRI", "McDonald", "iPhone").
    Source: pandoc 3 with --citeproc, checked in tests/notes/test_world.py. Pandoc leaves a
    one-word subtitle at the very end lower case ("Pain: why?"); AMA's rule wins there.
    """
    out: list[str] = []
    protected: list[bool] = []  # per open brace: does it protect its text's case?
    i, start, after_command = 0, True, False
    while i < len(latex):
        ch = latex[i]
        free = not any(protected)
        if ch == "{":
            protected.append(not after_command)
        elif ch == "}":
            if protected:
                protected.pop()
        elif ch == "\\" and free:  # a command: copy its name untouched
            j = i + 1
            while j < len(latex) and latex[j].isalpha():
                j += 1
            j = max(j, i + 2)
            out.append(latex[i:j])
            i, after_command = j, latex[i + 1 : i + 2].isalpha()
            continue
        elif ch.isalpha() and free:
            j = i
            while j < len(latex) and (latex[j].isalpha() or latex[j] in "'’"):
                j += 1
            out.append(_recase(latex[i:j], start))
            i, start, after_command = j, False, False
            continue
        elif ch in _SENTENCE_END and not any(protected):
            start = i + 1 < len(latex) and latex[i + 1].isspace()
        elif ch.isalnum():
            start = False
        after_command = False
        out.append(ch)
        i += 1
    return "".join(out)


def _recase(word: str, start: bool) -> str:
    """One word outside braces: capitalised at a sentence start, else Title-case lowered."""
    rest = word[1:].replace("'", "").replace("’", "")
    if start:
        return word[0].upper() + word[1:] if word.islower() else word
    if word[0].isupper() and (not rest or rest.islower()):
        return word[0].lower() + word[1:]
    return word


# LaTeX's font commands, which pybtex's text backend prints as "\emph Two": as the rich-text
# tags CSL-JSON uses (kept by entries.escape_item), or as plain text.
_FONT_TAGS = {"emph": "i", "textit": "i", "textsl": "i", "em": "i", "it": "i", "sl": "i",
              "textbf": "b", "bf": "b", "textsuperscript": "sup", "textsubscript": "sub",
              "textsc": "", "textrm": "", "textup": "", "textnormal": "", "texttt": "",
              "textsf": "", "sc": "", "rm": "", "tt": "", "sf": ""}  # fmt: skip
_FONT_COMMAND = re.compile(r"\\([a-z]+)\s*\{|\{\\([a-z]+)\s+", re.IGNORECASE)


def font_commands(latex: str) -> str:
    r"""``\emph{x}`` and ``{\em x}`` → ``<i>x</i>`` (and the like); other text untouched."""
    out: list[str] = []
    i = 0
    while (m := _FONT_COMMAND.search(latex, i)) is not None:
        name = (m.group(1) or m.group(2)).lower()
        if name not in _FONT_TAGS or (m.group(1) and name in ("em", "it", "sl", "bf")):
            out.append(latex[i : m.end()])
            i = m.end()
            continue
        end, depth = m.end(), 1  # the brace that closes the argument (or the group)
        while end < len(latex) and depth:
            depth += {"{": 1, "}": -1}.get(latex[end], 0) if latex[end - 1] != "\\" else 0
            end += 1
        inner = font_commands(latex[m.end() : end - 1 if depth == 0 else end])
        tag = _FONT_TAGS[name]
        out.append(latex[i : m.start()] + (f"<{tag}>{inner}</{tag}>" if tag else inner))
        i = end
    return "".join(out) + latex[i:]
