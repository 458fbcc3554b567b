"""YAML with line numbers: the only PyYAML import.

Config and front matter errors must name the line of the offending key, so documents are
composed into nodes first and every mapping key's line is kept beside the value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from publisher.errors import PublisherError, raise_all


@dataclass(frozen=True)
class Doc:
    """A loaded YAML document: plain values plus the line of every mapping key and list item."""

    data: Any
    lines: dict[tuple[str | int, ...], int]  # ("targets", "local", "location") -> line
    source: Path
    first_line: int  # file line of the document's first line

    def line(self, *path: str | int) -> int:
        """The line of the deepest known prefix of ``path`` (falls back to the document start)."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.first_line


class _Keys(yaml.constructor.SafeConstructor):
    """A constructor whose mapping keys are always their text as written: ``yes:`` is "yes",
    ``123:`` is "123" (YAML would make them True and 123, and every key lookup, sort and
    message here expects text)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key: Any = str(key_node.value)
            else:
                key = str(self.construct_object(key_node, deep=True))
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


class _Loader(_Keys, yaml.SafeLoader):
    """The pure-Python parser: its error messages are the ones explained below."""


# libyaml's parser where PyYAML was built with it: front matter is parsed on every build, and
# the pure-Python parser took most of an unchanged rebuild's time (issue 11). Its errors are
# worded differently, so a document it refuses is parsed again by _Loader for the message.
_CBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FastLoader(_Keys, _CBase):  # type: ignore[misc,valid-type]
    pass


def _parse(text: str, loader_type: type[yaml.SafeLoader]) -> tuple[yaml.Node | None, Any]:
    """The document's node tree and the data built from it (composed once)."""
    loader = loader_type(text)
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def load(
    text: str, source: Path, *, first_line: int = 1, error: type[PublisherError] = PublisherError
) -> Doc:
    """Parse ``text`` (one YAML document) and keep key lines. Raises ``error`` with the line."""
    try:
        try:
            node, data = _parse(text, _FastLoader)
        except (yaml.YAMLError, ValueError):
            node, data = _parse(text, _Loader)  # the same refusal, in the words below
    except yaml.MarkedYAMLError as e:
        line, problem, hint = _where_and_hint(e, text)
        raise error(f"invalid YAML: {problem}", source, first_line + line, hint) from e
    except yaml.reader.ReaderError as e:  # a character YAML never allows, e.g. a control
        line = text[: e.position].count("\n")
        raise error(
            f"invalid YAML: it contains U+{e.character:04X}, which YAML does not allow"
            if isinstance(e.character, int)
            else f"invalid YAML: {e.reason}",
            source,
            first_line + line,
            "delete it; such characters are often invisible in an editor",
        ) from e
    except yaml.YAMLError as e:
        raise error(f"invalid YAML: {e}", source, first_line) from e
    except ValueError as e:  # a well-formed value that cannot be built, e.g. 2026-02-30
        line, bad, key = _bad_scalar(text)
        raise error(
            (f"'{key}': " if key else "") + f"invalid value {bad!r}: {_why(e)}",
            source,
            first_line + line,
            "dates are written 2026-09-15 or 2026-09-15 08:30",
        ) from e
    lines: dict[tuple[str | int, ...], int] = {}
    duplicates: list[PublisherError] = []
    if node is not None:
        _walk(
            node,
            (),
            lines,
            first_line,
            lambda message, line: duplicates.append(
                error(message, source, line, "keep one; YAML would silently use the last")
            ),
        )
    raise_all(duplicates)
    return Doc(data, lines, source, first_line)


_INDENT_DEEPER = (
    "this line is indented further than the key above it, so YAML reads it as part of that "
    "key's value; put it in the same column as the keys it belongs with"
)
_INDENT_SHALLOWER = (
    "this line is indented less than the lines above it but more than their parent key; "
    "put it in the same column as the keys it belongs with"
)


def _where_and_hint(e: yaml.MarkedYAMLError, text: str) -> tuple[int, str, str]:
    """The 0-based line to report for a YAML syntax error, the problem and a hint that fits."""
    problem, context = e.problem or "", e.context or ""
    said = ": ".join(p for p in (context, problem) if p) or "invalid YAML"
    if e.context_mark is not None and ("flow" in context or "quoted" in context):
        # An unclosed "[", "{" or quote: the problem mark is often the end of the text,
        # which names no useful line; the context mark is where the construct began.
        return e.context_mark.line, said, "close the bracket or quote opened on this line"
    if "simple key" in context and e.context_mark is not None:
        return (
            e.context_mark.line,
            said,
            "a key needs ': ' after it; if this line continues the value above, indent it",
        )
    mark = e.problem_mark or e.context_mark
    line = mark.line if mark is not None else 0
    if "tab" in problem or "'\\t'" in problem:
        return line, said, "indent with spaces; YAML does not allow tabs"
    if mark is not None and (
        "mapping values are not allowed" in problem or "'<block mapping start>'" in problem
    ):
        missing = _key_without_colon(text, mark)
        if missing is not None:
            return missing
    if "mapping values are not allowed" in problem and mark is not None:
        before = text.split("\n")[line][: mark.column]
        if re.search(r":(\s|$)", before):
            return (
                line,
                said,
                "put quotes around a value that contains ': ', e.g. title: \"Red flags: what…\"",
            )
        return line, said, _INDENT_DEEPER
    if "expected <block end>" in problem:
        return line, said, _INDENT_SHALLOWER
    return line, said, "check indentation and quoting"


def _key_without_colon(text: str, mark: yaml.Mark) -> tuple[int, str, str] | None:
    """The line, problem and hint when the error at ``mark`` (a ``key: value`` line) comes
    from a key without its colon on the line above, e.g. ``title Broken note``.

    PyYAML reads such a line as a plain value, so it only fails at the next key: on a
    document's first key, or a mapping's first, it blames that next line, and in words about
    indentation. The line above is the one to fix when a plain value starts it (nothing
    before the value on its line, so it is no key's value) and nothing but blank or comment
    lines lies between the two."""
    start: yaml.Mark | None = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if (token.start_mark.line, token.start_mark.column) >= (mark.line, mark.column):
                break
            if isinstance(token, yaml.ScalarToken):
                start = token.start_mark if token.plain else None
    except yaml.YAMLError:
        pass  # the tokens up to the error are the ones that matter
    if start is None:
        return None
    lines = text.split("\n")
    above = [
        i for i in range(mark.line) if lines[i].strip() and not lines[i].lstrip().startswith("#")
    ]
    if not above or above[-1] != start.line or lines[start.line][: start.column].strip():
        return None
    written = re.sub(r"\s+#.*$", "", lines[start.line]).strip()
    found = re.fullmatch(r"([A-Za-z_][\w-]*)\s+(\S.*)", written)
    example = f"{found.group(1)}: {found.group(2)}" if found else f"{written}:"
    return start.line, "could not find expected ':'", f"a key needs ': ' after it, as in {example}"


def _why(e: ValueError) -> str:
    """Why a value cannot be built, in the producer's words: Python's ``datetime`` says an
    offset of 24 hours or more in terms of its own ``timedelta``."""
    if "offset must be a timedelta" in str(e):
        return "a time's UTC offset must lie between -23:59 and +23:59"
    return str(e)


def _bad_scalar(text: str) -> tuple[int, str, str | None]:
    """The line (0-based) and text of the first scalar that cannot be constructed, and the
    key it is the value of (None for a key, or a value outside any mapping)."""
    constructor = yaml.SafeLoader("")
    for key, node in _scalars(yaml.compose(text, Loader=yaml.SafeLoader), None):
        try:
            constructor.construct_object(node, deep=True)
        except ValueError:
            return node.start_mark.line, str(node.value), key
    return 0, "", None


def _scalars(node: yaml.Node | None, key: str | None) -> list[tuple[str | None, yaml.ScalarNode]]:
    """Every scalar under ``node`` with the key of the mapping entry it is the value of."""
    if isinstance(node, yaml.ScalarNode):
        return [(key, node)]
    if isinstance(node, yaml.MappingNode):
        return [
            s for k, v in node.value for s in (*_scalars(k, None), *_scalars(v, _name(k) or key))
        ]
    if isinstance(node, yaml.SequenceNode):
        return [s for item in node.value for s in _scalars(item, key)]
    return []


def _name(node: yaml.Node) -> str | None:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def _walk(
    node: yaml.Node,
    path: tuple[str | int, ...],
    lines: dict[tuple[str | int, ...], int],
    first_line: int,
    duplicate: Callable[[str, int], None],
) -> None:
    """Record the line of every key and item below ``node``; report each key written twice
    in one mapping (PyYAML keeps the last silently)."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            k, line = str(key.value), first_line + key.start_mark.line
            if path + (k,) in lines and k != "<<":
                first = lines[path + (k,)]
                duplicate(f"duplicate key '{k}' (first defined at line {first})", line)
            lines[path + (k,)] = line
            _walk(value, path + (k,), lines, first_line, duplicate)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[path + (i,)] = first_line + item.start_mark.line
            _walk(item, path + (i,), lines, first_line, duplicate)


def dump_scalar(value: str) -> str:
    """``value`` as a one-line YAML scalar (quoted where YAML needs it)."""
    text: str = yaml.safe_dump(value, default_flow_style=True, width=10_000, allow_unicode=True)
    return text.removesuffix("\n...\n").strip()
