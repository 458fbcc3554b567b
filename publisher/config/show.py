"""Read and validate feed_config.yaml into a frozen Show, reporting all problems at once.

The keys and their checks are rows of ``publisher.config.fields.CONFIG``; this module loads
the file, reads it against that table, checks what spans several keys, and builds the Show.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from publisher.config import yamldoc
from publisher.config.fields import CONFIG
from publisher.config.identity import podcast_guid, production_problems
from publisher.config.schema import FieldReader
from publisher.config.targets import SECRET_HINT, is_secret, secret_message
from publisher.config.text import XML_ILLEGAL, xml_illegal_chars
from publisher.errors import ConfigError, raise_all
from publisher.model import Show, Target

CONFIG_NAME = "feed_config.yaml"

# XML_ILLEGAL and xml_illegal_chars stay importable from here for the feed builder.
__all__ = [
    "CONFIG_NAME",
    "XML_ILLEGAL",
    "load",
    "podcast_guid",
    "store_podcast_guid",
    "xml_illegal_chars",
]


def load(root: Path) -> Show:
    """Read ``root/feed_config.yaml``. Raises ConfigError, or Problems with every problem found."""
    source = root / CONFIG_NAME
    try:
        text = source.read_text(encoding="utf-8-sig")
    except FileNotFoundError as e:
        raise ConfigError(
            "no feed_config.yaml here", source, None, "run in the show folder or pass --show DIR"
        ) from e
    except UnicodeDecodeError as e:
        raise ConfigError(
            "feed_config.yaml is not UTF-8 text", source, None, "save it as UTF-8"
        ) from e
    doc = yamldoc.load(text, source, error=ConfigError)
    if not isinstance(doc.data, dict):
        raise ConfigError(
            "feed_config.yaml must be a mapping of keys to values",
            source,
            1,
            "write one 'key: value' per line, e.g. 'title: Night Shift Science'; "
            "'publisher init' writes a complete one",
        )
    return _show(doc, root)


def _show(doc: yamldoc.Doc, root: Path) -> Show:
    reader = FieldReader(doc, CONFIG, ConfigError, base=root, skip=is_secret)
    for key in doc.data:
        if is_secret(str(key)):
            reader.fail(secret_message(str(key)), str(key), hint=SECRET_HINT)
    v = reader.read()
    image = root / v["artwork"] if v["artwork"] else root / "artwork.jpg"
    if v["artwork"]:
        _check_artwork(image, doc, reader)
    targets: tuple[Target, ...] = v["targets"]
    default = _default_target(v["default_target"], targets, doc.data.get("targets"), reader)
    for target, message in production_problems(targets):
        reader.fail(
            message,
            "targets",
            target.name,
            "production",
            hint="mark exactly one target, the one whose public https URL apps subscribe to",
        )
    funding_url, funding_label = v["funding"] or (None, None)
    raise_all(reader.problems)
    return Show(
        source=doc.source,
        root=root,
        title=v["title"],
        description=v["description"],
        author=v["author"],
        owner=v["owner"],
        language=v["language"],
        categories=v["categories"],
        explicit=v["explicit"],
        image=image,
        timezone=v["timezone"],
        targets=targets,
        default_target=default,
        type=v["type"],
        podcast_guid=v["podcast_guid"],
        copyright=v["copyright"],
        locked=v["locked"],
        funding_url=funding_url,
        funding_label=funding_label if funding_url else None,
        new_feed_url=v["new_feed_url"],
        persons=v["persons"],
        websub_hub=v["websub_hub"],
        podcast_index_notify=v["podcast_index_notify"],
        lines=tuple((str(p[0]), line) for p, line in doc.lines.items() if len(p) == 1),
        bibliography=v["bibliography"],
        citation_style=v["citation_style"],
        references_title=v["references_title"],
        subscribe=v["subscribe"],
        episodes_per_page=v["episodes_per_page"],
        accent_color=v["accent_color"],
        imported_from=v["imported_from"],
        enclosure_prefix=v["enclosure_prefix"],
        feed=v["feed"],
    )


def _check_artwork(image: Path, doc: yamldoc.Doc, reader: FieldReader) -> None:
    from publisher import artwork  # Pillow is only needed when artwork is checked

    try:
        artwork.check(image, source=doc.source, line=doc.line("artwork"))
    except ConfigError as e:
        reader.problems.append(e)


def _default_target(
    given: str | None, targets: tuple[Target, ...], raw: Any, reader: FieldReader
) -> str:
    names = [t.name for t in targets]
    default = given or (names[0] if names else "")
    if names and isinstance(raw, dict) and default not in raw:
        reader.fail(
            f"'default_target' {default!r} is not one of the targets: " + ", ".join(names),
            "default_target",
            hint=f"write one of them, e.g. 'default_target: {names[0]}'",
        )
    return default


def store_podcast_guid(show: Show, guid: str) -> None:
    """Write ``podcast_guid: <guid>`` as one new line into feed_config.yaml: just above the
    top-level ``targets:`` line, so that the targets stay last and one a producer appends at
    the end of the file is still a target; at the end when there is none."""
    text = show.source.read_bytes()
    newline = b"\r\n" if b"\r\n" in text else b"\n"
    line = b"podcast_guid: " + guid.encode() + newline
    targets = re.search(rb"^targets:", text, re.M)
    if targets is not None:
        show.source.write_bytes(text[: targets.start()] + line + text[targets.start() :])
        return
    if text and not text.endswith((b"\n", b"\r")):
        text += newline
    show.source.write_bytes(text + line)
