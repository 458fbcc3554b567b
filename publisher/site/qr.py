"""A QR code of the feed URL as inline SVG, for a phone's camera (segno: the only QR import)."""

from __future__ import annotations

import io
import re

import segno
from markupsafe import Markup


def qr_svg(url: str, label: str) -> Markup:
    """An ``<svg role="img">`` QR code (error correction M) of ``url``, titled ``label``.

    The SVG is segno's, with the XML declaration dropped and an accessible title added;
    ``label`` is escaped.
    """
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", xmldecl=False, svgns=True, nl=False, scale=4, border=2,
              dark="#000", light="#fff", svgclass="qr", lineclass=None)  # fmt: skip
    svg = out.getvalue().decode("ascii")
    title = str(Markup.escape(label))
    svg = re.sub(r"^<svg ", '<svg role="img" aria-label="' + title + '" ', svg, count=1)
    return Markup(svg)
