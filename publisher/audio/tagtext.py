"""Tag text made fit for one-line fields: titles, artists, comments, chapter titles.

Taggers let producers type (or paste) control characters into tags: a vertical tab where a
line break was meant, a CR LF from a Windows text box, a stray BEL or ESC. XML 1.0 forbids
most C0 controls, and a line break inside ``<title>`` shows as one in some apps and as
nothing in others ("Guidelineswhat they advise"). So, in a one-line field, every run of
whitespace-like controls (tab, VT, FF, CR, LF, NEL U+0085, U+2028, U+2029, with the spaces
around them) becomes one space, and every other control (the rest of C0 and C1, DEL) or
character XML cannot carry (U+FFFE, U+FFFF, lone surrogates) is dropped with a warning that
names the file and the tag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from publisher.errors import Notice

_BREAKS = "\t\n\v\f\r\x85\u2028\u2029"
_BREAK_RUN = re.compile(f"[ {_BREAKS}]*[{_BREAKS}][ {_BREAKS}]*")
_DROPPED = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff\ud800-\udfff]")
_HINT = "correct the tag in a tag editor"


@dataclass
class TagText:
    """Cleans the tag text of one file, collecting the warnings it gives.

    A helper that lives for one call of the reader, hence not frozen.
    """

    path: Path
    notices: list[Notice] = field(default_factory=list)

    def one_line(self, text: str, tag: str) -> str | None:
        """``text`` as one line, stripped; None when nothing is left.

        ``tag`` names the tag in a warning, e.g. "title (ID3 TIT2)".
        """
        dropped = sorted(set(_DROPPED.findall(text)))
        if dropped:
            text = _DROPPED.sub("", text)
            codes = ", ".join(f"U+{ord(c):04X}" for c in dropped)
            plural = "s" if len(dropped) > 1 else ""
            message = f"the {tag} tag holds control character{plural} {codes}; dropped"
            notice = Notice(message, self.path, hint=_HINT)
            if notice not in self.notices:
                self.notices.append(notice)
        text = _BREAK_RUN.sub(" ", text).strip()
        return text or None
