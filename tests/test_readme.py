"""The README documents what the code accepts: keys, fields, commands, and a valid example."""

from __future__ import annotations

import re
from pathlib import Path

from publisher import cli, config, episodes
from publisher.config import yamldoc

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_quick_start_is_exactly_two_commands() -> None:
    block = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make demo", "make test"]


def test_every_config_key_and_front_matter_field_is_documented() -> None:
    for key in sorted(config.CONFIG.names):
        assert f"| `{key}` |" in README, key
    table = README.split("## Front matter", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    for field in config.FRONT_MATTER.names:
        assert any(f"`{field}`" in row.split("|")[1] for row in rows), field


def test_every_command_is_documented() -> None:
    parser = cli.arguments.parser()
    (sub,) = [a for a in parser._actions if a.dest == "command"]
    for name in sub.choices:  # type: ignore[union-attr]
        assert f"| `{name}` |" in README, name


def test_front_matter_example_parses() -> None:
    block = README.split("## Front matter", 1)[1].split("```markdown", 1)[1].split("```", 1)[0]
    front, body, _ = episodes.split_front_matter(block.lstrip("\n"), Path("README.md"))
    doc = yamldoc.load(front, Path("README.md"))
    assert set(doc.data) <= set(config.FRONT_MATTER.names)
    assert doc.data["title"] == "Red flags: what they can and cannot tell you"
    assert re.search(r"\[@\w+", body)
