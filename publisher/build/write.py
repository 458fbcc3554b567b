"""Write a rendered site into its build folder, one file at a time as they come.

The folder is not emptied first: a file is written only when its bytes change (atomically,
a temporary file renamed over the old one), and files no longer built are removed. An
unchanged rebuild therefore rewrites nothing, and a changed note rewrites only the pages
that show it, so tools that go by modification times see only what changed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from publisher import config, layout
from publisher.build.render import Output
from publisher.errors import ConfigError
from publisher.filecache import BuildCache, stat_key
from publisher.model import SiteFile

BUILD_MARKER = ".publisher-build"
_MARKER_TEXT = "built by publisher; files it no longer builds are removed on every build\n"


def check_build_dir(out: Path, root: Path) -> None:
    """Refuse a build folder that is not ours or that holds the show (before anything is
    written, GUIDs included). Raises ConfigError."""
    if out == root or out in root.parents or (out / config.CONFIG_NAME).exists():
        raise ConfigError(
            f"refusing to build into {out}: it holds the show itself",
            None,
            None,
            "pick an empty folder, e.g. _site",
        )
    if out.exists() and any(out.iterdir()) and not (out / BUILD_MARKER).exists():
        raise ConfigError(
            f"refusing to empty {out}: it is not a folder this tool built",
            None,
            None,
            "pick an empty folder, e.g. _site",
        )


def write_site(out: Path, outputs: Iterable[Output], cache: BuildCache) -> tuple[SiteFile, ...]:
    """Write each output into ``out`` (checked by :func:`check_build_dir`) as it comes, only
    when its bytes differ from the file there; then remove every file that was not built.

    Bytes are written, source files hard-linked (or copied). Returns every built file, with
    sizes, hashes (known ones from ``cache``) and the layout's kind and Content-Type.
    Raises OSError when the folder cannot be written.
    """
    out.mkdir(parents=True, exist_ok=True)
    marker = out / BUILD_MARKER
    if not marker.exists():
        marker.write_text(_MARKER_TEXT)
    files: list[SiteFile] = []
    for o in outputs:
        dest = out / o.key
        if o.source is not None:
            size, digest = cache.digest(o.source)
            _place_file(o.source, dest, digest, cache)
        else:
            assert o.data is not None  # an Output is bytes or a file
            size, digest = len(o.data), hashlib.sha256(o.data).hexdigest()
            _place_bytes(o.data, dest, digest, cache)
        kind = layout.kind(o.key)
        ctype = layout.content_type(o.key)
        files.append(SiteFile(o.key, dest, size, digest, ctype, kind, layout.immutable(o.key)))
    remove_stale(out, {f.key for f in files}, cache)
    return tuple(files)


def _unchanged(dest: Path, digest: str, size: int, cache: BuildCache) -> bool:
    """Whether ``dest`` already holds bytes with ``digest``: by the stat recorded when it was
    written (size, mtime, ctime, inode), else by reading it."""
    try:
        st = dest.stat()
    except OSError:
        return False
    record = cache.output(str(dest))
    if record is not None and record.get("stat") == stat_key(st):
        return record.get("sha256") == digest
    if st.st_size != size:
        return False
    h = hashlib.sha256()
    with dest.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest() == digest


def _place_bytes(data: bytes, dest: Path, digest: str, cache: BuildCache) -> None:
    if not _unchanged(dest, digest, len(data), cache):
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = _tmp(dest)
        tmp.write_bytes(data)
        os.replace(tmp, dest)
    cache.remember_output(str(dest), {"stat": stat_key(dest.stat()), "sha256": digest})


def _place_file(src: Path, dest: Path, digest: str, cache: BuildCache) -> None:
    """Hard-link (else copy) ``src`` to ``dest`` unless ``dest`` is it or holds its bytes."""
    s = src.stat()
    try:
        d = dest.stat()
        linked = (d.st_ino, d.st_dev) == (s.st_ino, s.st_dev)
    except OSError:
        linked = False
    if not linked and not _unchanged(dest, digest, s.st_size, cache):
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = _tmp(dest)
        hard = True
        try:
            os.link(src, tmp)
        except OSError:
            hard = False
            shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
        if hard:  # linking and renaming the link changed src's ctime, nothing else
            cache.linked(src, s)
    cache.remember_output(str(dest), {"stat": stat_key(dest.stat()), "sha256": digest})


def _tmp(dest: Path) -> Path:
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    return tmp


def remove_stale(out: Path, keep: set[str], cache: BuildCache) -> None:
    """Remove every file under ``out`` whose key is not in ``keep`` (the marker stays), then
    the folders left empty; their records leave ``cache``."""
    for path in sorted(out.rglob("*"), reverse=True):
        key = path.relative_to(out).as_posix()
        if path.is_dir() and not path.is_symlink():
            if not any(path.iterdir()):
                path.rmdir()
        elif key != BUILD_MARKER and key not in keep:
            path.unlink()
    prefix = str(out) + os.sep
    cache.forget_outputs(
        {k for k in cache.outputs if not k.startswith(prefix)} | {str(out / k) for k in keep}
    )
