"""Characters XML 1.0 forbids (D-01), found in any YAML value with the key path holding them.

lxml refuses such characters and a feed holding one is unparseable, so config and front
matter are searched for them before anything is rendered.
"""

from __future__ import annotations

import re
from typing import Any

XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_illegal_chars(
    value: Any, path: tuple[str | int, ...] = ()
) -> list[tuple[tuple[str | int, ...], str]]:
    """(key path, "U+000B") for each text in ``value`` holding a character XML 1.0 forbids."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    if isinstance(value, str):
        if m := XML_ILLEGAL.search(value):
            found.append((path, f"U+{ord(m.group()):04X}"))
    elif isinstance(value, dict):
        for k, v in value.items():
            found.extend(xml_illegal_chars(k, (*path, str(k))))
            found.extend(xml_illegal_chars(v, (*path, str(k))))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found.extend(xml_illegal_chars(v, (*path, i)))
    return found
