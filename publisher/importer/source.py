"""Where an import starts: the show folder (new, or the one ``--update`` adds to), the feed's
bytes (an http(s) URL or a saved file), and the old feed's URL the show moves from."""

from __future__ import annotations

from pathlib import Path

from publisher import weburl
from publisher.config.show import CONFIG_NAME
from publisher.errors import ConfigError, PublisherError
from publisher.importer import download
from publisher.importer.existing import Existing, read_existing
from publisher.importer.read import source_error


def existing_show(root: Path, *, update: bool) -> Existing:
    """What the show folder ``root`` already holds: nothing for a new import, the show's
    GUIDs, stems and ``imported_from`` for ``update``. Raises ConfigError for a folder that
    holds a show already (without ``update``) or none to update."""
    config_path = root / CONFIG_NAME
    if update:
        if not config_path.exists():
            raise ConfigError(
                "no show here to update", config_path, None, "import without --update"
            )
        return read_existing(root)
    if config_path.exists():
        raise ConfigError(
            "this folder already holds a show",
            config_path,
            None,
            "use --update to add the episodes published since, or pick another --show folder",
        )
    return Existing(None, frozenset(), frozenset(), ())


def source_missing(root: Path, *, update: bool) -> PublisherError:
    """The problem of an import that names no feed (and, with ``update``, has no
    ``imported_from`` to default to)."""
    if update:
        return ConfigError(
            "no 'imported_from' here, and no SOURCE given",
            root / CONFIG_NAME,
            None,
            "publisher import --update URL",
        )
    return PublisherError("name the feed to import: publisher import URL (or a saved file)")


def read_source(source: str) -> bytes:
    """The feed's bytes: downloaded from an http(s) URL, or read from a saved file.
    Raises PublisherError for another scheme, a missing or unreadable file, or a failed
    download."""
    if is_url(source):
        return download.fetch_bytes(source)
    if "://" in source.split("/", 1)[0] or source.startswith("file:"):
        raise PublisherError(f"{source!r}: only http(s) URLs and saved files can be imported")
    try:
        return Path(source).read_bytes()
    except FileNotFoundError:
        raise PublisherError(
            "no such file", source, None, "give the feed's URL or a saved feed file"
        ) from None
    except OSError as e:
        raise PublisherError(f"cannot read it: {e.strerror}", source) from None


def old_feed_url_of(source: str, given: str | None, self_url: str | None) -> str:
    """The URL the show moves from: ``given`` (``--old-feed-url`` or ``imported_from``), else
    the feed's ``atom:link rel="self"``, else ``source`` when it is a URL. Raises
    PublisherError when none is known or it is not an http(s) URL."""
    old = given or self_url
    if old is None and is_url(source):
        old = source
    if not old:
        raise PublisherError(
            'the old feed\'s URL is unknown: the feed has no atom:link rel="self" and SOURCE '
            "is a file",
            source,
            None,
            "pass --old-feed-url URL (the address apps subscribe to)",
        )
    if not is_url(old):
        raise source_error(f"the old feed URL {old!r} is not an http(s) URL", source)
    return old


def is_url(text: str) -> bool:
    """True for an absolute http(s) URL."""
    return weburl.is_http(text)
