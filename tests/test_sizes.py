"""Modules stay small and functions short (issue 7): a module over 400 lines or a function
over 60 lines needs a reason written beside it (a ``# long: …`` comment in the lines right
above the ``def``, or for a module in its first lines)."""

from __future__ import annotations

import ast
from pathlib import Path

import publisher

PACKAGE = Path(publisher.__file__).parent
MODULE_LINES = 400
FUNCTION_LINES = 60


def too_long() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        where = path.relative_to(PACKAGE.parent)
        if len(lines) > MODULE_LINES and not any(line.startswith("# long:") for line in lines[:40]):
            found.append(f"{where}: {len(lines)} lines")
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            above = first - 2  # the comment lines right above the def (0-based)
            while above >= 0 and lines[above].strip().startswith("#"):
                above -= 1
            nearby = " ".join(lines[above + 1 : node.lineno])
            if length > FUNCTION_LINES and "# long:" not in nearby:
                found.append(f"{where}:{node.lineno}: {node.name}() is {length} lines")
    return found


def test_no_module_or_function_is_too_long_without_a_reason() -> None:
    assert too_long() == []
