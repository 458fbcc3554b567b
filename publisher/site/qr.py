"""A QR code of the feed URL as inline SVG, for a phone's camera (segno: the only QR import).

segno is imported only when a code is made: a build whose last one kept the code for the same
URL (:class:`Kept`, the build cache) neither imports it nor encodes again (~25 ms, issue 11).
"""

from __future__ import annotations

import io
import re
from typing import Protocol

from markupsafe import Markup

from publisher.filecache import libraries

_KEPT_AS = "site: QR code of the feed"  # the name of its record in the build cache


class Kept(Protocol):
    """Where texts are kept between builds (:class:`publisher.filecache.BuildCache`)."""

    def value(self, name: str, of: str) -> str | None: ...

    def remember_value(self, name: str, of: str, value: str) -> None: ...


def qr_svg(url: str, label: str, kept: Kept | None = None) -> Markup:
    """An ``<svg role="img">`` QR code (error correction M) of ``url``, titled ``label``.

    The SVG is segno's, with the XML declaration dropped and an accessible title added, and
    the quiet zone of 4 light modules around it that ISO/IEC 18004 asks for (a dark page
    around a thinner one can keep a camera from finding the code);
    ``label`` is escaped. With ``kept``, the SVG kept there for the same URL, label and
    version of segno is used, and one made is kept.
    """
    of = f"{_segno_version()}\0{url}\0{label}"
    found = kept.value(_KEPT_AS, of) if kept is not None else None
    if found is not None:
        return Markup(found)
    import segno

    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", xmldecl=False, svgns=True, nl=False, scale=4, border=4,
              dark="#000", light="#fff", svgclass="qr", lineclass=None)  # fmt: skip
    svg = out.getvalue().decode("ascii")
    title = str(Markup.escape(label))
    svg = re.sub(r"^<svg ", '<svg role="img" aria-label="' + title + '" ', svg, count=1)
    if kept is not None:
        kept.remember_value(_KEPT_AS, of, svg)
    return Markup(svg)


def _segno_version() -> str:
    """segno's installed distribution (``segno-1.6.6.dist-info``), without importing it."""
    return next((d for d in libraries() if d.lower().startswith("segno-")), "")
