"""docs/feed-rules.md documents every rule ID the tool prints, and only real rule IDs.

The IDs are found by a regular expression over the package's source, so a message added with a
new ``[X-NN]`` fails here until the rule is documented. The list of valid IDs is the project's
checklist, ``FEED_RULES.md``, kept beside the repository (``../shared/FEED_RULES.md``; CI has it
there); without it only the first direction is checked (and, with ``CI=true``, the test of the
second fails rather than skips).
"""

from __future__ import annotations

import re

from tests.support.paths import ROOT
from tests.support.tools import needs

DOC = ROOT / "docs" / "feed-rules.md"
CHECKLIST = ROOT.parent / "shared" / "FEED_RULES.md"
PACKAGE = ROOT / "publisher"
# A rule ID standing alone: "C-03" in "[C-03]", "(D-07)" or "C-03, I-10", but not the "O-86"
# inside "ISO-8601" nor a part of a longer token such as "X-12-3".
RULE_ID = re.compile(r"(?<![\w-])([CDI]-\d{2})(?![\w-])")  # FEED_RULES: D-, C-, I-
HEADING = re.compile(r"^#{1,6}\s+(.*)$", re.MULTILINE)
TABLE_ROW_ID = re.compile(r"^\|\s*[`*]*([A-Z]-\d{2})[`*]*\s*\|", re.MULTILINE)


def ids_in_source() -> dict[str, list[str]]:
    """Every rule ID in the package's Python source, with the places it appears."""
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for m in RULE_ID.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            found.setdefault(m.group(1), []).append(f"{path.relative_to(ROOT)}:{line}")
    return found


def documented_ids(doc: str) -> set[str]:
    """IDs the doc gives an entry: named in a heading, or first in a table row."""
    headed = {i for h in HEADING.findall(doc) for i in RULE_ID.findall(h)}
    return headed | set(TABLE_ROW_ID.findall(doc))


def checklist_ids(text: str) -> set[str]:
    """The rule IDs FEED_RULES.md defines: the first cell of its tables' rows."""
    return set(TABLE_ROW_ID.findall(text))


def test_the_regex_finds_ids_as_messages_print_them() -> None:
    found = RULE_ID.findall("a [C-03] b (D-07) c I-10, I-04. ISO-8601 UTF-16 X-12-3 AB-12")
    assert found == ["C-03", "D-07", "I-10", "I-04"]


def test_the_package_prints_rule_ids() -> None:
    # guards the scan itself: a broken regex or path would make the next test pass vacuously
    assert len(ids_in_source()) >= 20


def test_every_rule_id_in_the_source_is_documented() -> None:
    documented = documented_ids(DOC.read_text(encoding="utf-8"))
    missing = {i: where[:3] for i, where in ids_in_source().items() if i not in documented}
    assert not missing, f"rule IDs used in publisher/ but not in docs/feed-rules.md: {missing}"


def test_every_documented_rule_says_source_level_and_message() -> None:
    doc = DOC.read_text(encoding="utf-8")
    sections = re.split(r"^### ", doc, flags=re.MULTILINE)[1:]
    assert sections
    for section in sections:
        title = section.splitlines()[0]
        assert RULE_ID.match(title), title
        for part in ("**Needs**", "**Source**", "**Level**", "**You see**"):
            assert part in section, f"{title}: no {part}"


@needs(CHECKLIST.is_file(), f"needs the checklist at {CHECKLIST} (CI has it there)")
def test_every_id_in_the_doc_is_a_real_rule() -> None:
    rules = checklist_ids(CHECKLIST.read_text(encoding="utf-8"))
    assert len(rules) >= 30, "FEED_RULES.md's tables were not understood"
    doc = DOC.read_text(encoding="utf-8")
    unknown = sorted(set(RULE_ID.findall(doc)) - rules)
    assert not unknown, f"docs/feed-rules.md names IDs FEED_RULES.md does not define: {unknown}"
    undocumented = sorted(rules - documented_ids(doc))
    assert not undocumented, f"rules of FEED_RULES.md missing from the doc: {undocumented}"


def test_the_readme_links_the_rules_doc() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/feed-rules.md)" in readme
    assert "FEED_RULES" not in readme  # a file the repository does not contain


def test_links_between_docs_resolve() -> None:
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if re.match(r"[a-z]+:", target):
                continue  # an outside address
            assert (doc.parent / target).exists(), f"{doc.relative_to(ROOT)} links {target}"
