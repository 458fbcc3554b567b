"""Build stage: read the show, render it, write the site; then write minted GUIDs back.

:func:`build` first asks :mod:`publisher.build.shortcut` whether the last build into the same
folder was made of the very same inputs; then it returns that build, having read, rendered
and written nothing. Otherwise it runs the full build (:mod:`publisher.build.full`: read →
render → write, itself incremental) and records it. The full build's modules (and the
libraries they import) load only when needed, so a skipped build costs little more than
starting Python; the other names of this package (``check``, ``read``, ``render``, …) are
theirs, loaded on first use (``read`` and ``render`` are the submodules of those names).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from publisher.build import shortcut
from publisher.build.searchparts import PART_EPISODES
from publisher.build.shortcut import UNCHANGED
from publisher.model import Build, Target

if TYPE_CHECKING:
    from publisher import episodes
    from publisher.build.full import Checked, check, keep_notes, writeback
    from publisher.build.read import ShowRead
    from publisher.build.render import Rendered, outputs
    from publisher.build.shortcut import BUILD_MARKER
    from publisher.build.write import DRAFTS_MARKER

__all__ = [
    "BUILD_MARKER",
    "DRAFTS_MARKER",
    "UNCHANGED",
    "Checked",
    "Rendered",
    "ShowRead",
    "build",
    "check",
    "keep_notes",
    "outputs",
    "writeback",
]

_LAZY = {
    "Checked": "full",
    "check": "full",
    "keep_notes": "full",
    "writeback": "full",
    "ShowRead": "read",
    "Rendered": "render",
    "outputs": "render",
    "BUILD_MARKER": "shortcut",
    "DRAFTS_MARKER": "write",
}


def __getattr__(name: str) -> object:
    """The full build's names, imported on first use (PEP 562)."""
    if name in _LAZY:
        return getattr(importlib.import_module(f"publisher.build.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'publisher.build' has no attribute {name!r}")


# long: the shortcut's probe, then the full build and its record; most of its lines pass the
# options through (one each) and its docstring says what they do.
def build(
    root: Path,
    *,
    now: dt.datetime,
    out_dir: Path | None = None,
    target: Target | None = None,
    target_name: str | None = None,
    guid_mode: episodes.GuidMode = "write",
    use_cache: bool = True,
    processes: int | None = None,
    drafts: bool = False,
    search_part: int = PART_EPISODES,
    built: Callable[[Build], None] | None = None,
) -> Build:
    """Build the show for a target into ``out_dir`` (default ``<root>/_site``); then, with
    ``guid_mode="write"``, write minted GUIDs back into the show. With ``drafts``: a local
    preview that includes drafts and scheduled episodes, marked; its Build is refused by
    publish.

    When nothing the last build into ``out_dir`` was made of changed, and its files are there
    as it left them, that build is returned (with an information notice) and nothing is
    read or written (:mod:`publisher.build.shortcut`). Otherwise only what changed is
    rendered and written (:mod:`publisher.build.full`); ``use_cache=False`` (``--no-cache``)
    trusts nothing an earlier build left. Notes are rendered on ``processes`` cores (None:
    all). The search index is made of parts of ``search_part`` episodes
    (:mod:`publisher.build.searchparts`). ``built(Build)`` is called once a full build is
    complete, before its caches and record are written (:mod:`publisher.build.apart`).
    Raises PublisherError, or Problems with every problem found; nothing is written then.
    """
    root = root.resolve()
    out = (out_dir or root / "_site").resolve()
    options = {
        "out": str(out),
        "target": repr(target) if target is not None else None,
        "target_name": target_name,
        "guid_mode": guid_mode,
        "drafts": drafts,
        "search_part": search_part,
    }
    last = shortcut.last(root, out) if use_cache else None
    found = shortcut.inputs(root, out, options, named=shortcut.named_outside(last))
    kept = shortcut.probe(found, last, now=now, target=target)
    if kept is not None:
        return kept
    del last  # its Build (~70 MB at 10,000 episodes) is no use to a full build (issue 11)
    from publisher.build import full

    done = full.build(
        root,
        now=now,
        out_dir=out,
        target=target,
        target_name=target_name,
        guid_mode=guid_mode,
        use_cache=use_cache,
        processes=processes,
        drafts=drafts,
        search_part=search_part,
        built=built,
    )
    shortcut.record(found, done.build, since=done.since, until=done.until, named=done.named)
    return done.build
