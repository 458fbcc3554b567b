"""A folder as a publish target (a web server's document root, a preview, a mounted share).

Each file is copied (never hardlinked: the build folder is rebuilt in place) to a temporary
file in the destination folder, fsynced, then renamed over the old one, so a reader sees
either the old or the new file, never half of one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import functools
import hashlib
import os
import tempfile
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from publisher.errors import StoreError
from publisher.model import SiteFile
from publisher.publish.plan import (
    EpisodeRecords,
    Manifest,
    ManifestEntry,
    episodes_of,
    manifest_from_json,
    manifest_to_json,
)
from publisher.stores.base import (
    LOCK_KEY,
    MANIFEST_KEY,
    META_DIR,
    Listing,
    Notify,
    Progress,
    UploadListener,
)

_CHUNK = 1 << 20


class LocalStore:
    """Publishes into ``root``, creating it on the first write."""

    parallelism = 1  # one disk: parallel copies only add seeks

    def __init__(self, root: Path) -> None:
        if not root.is_absolute():
            raise StoreError("a local target must be an absolute folder path", root)
        self.root = root

    @property
    def location(self) -> str:
        return str(self.root)

    # --- manifest --------------------------------------------------------------------

    def read_manifest(self) -> Manifest:
        path = self.root / MANIFEST_KEY
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as e:
            raise StoreError(f"cannot read the manifest: {e.strerror}", path) from e
        try:
            listed = manifest_from_json(data)
        except ValueError as e:
            raise StoreError(
                f"the manifest is damaged: {e}",
                path,
                hint="delete it to republish every file",
            ) from e
        return {key: self._check(key, entry) for key, entry in listed.items()}

    def _check(self, key: str, entry: ManifestEntry) -> ManifestEntry:
        """Trust the folder over the manifest: a missing, resized or rewritten file (another
        inode or modification time than when we wrote it) is changed."""
        try:
            st = self._path(key).stat()
        except FileNotFoundError:
            problem = "listed in the manifest but missing from the target"
        except (OSError, StoreError):
            problem = "listed in the manifest but unreadable on the target"
        else:
            if st.st_size != entry.size:
                problem = f"{st.st_size} bytes on the target, {entry.size} in the manifest"
            elif entry.etag is not None and entry.etag != _stamp(st):
                problem = "changed on the target since it was published (another inode or mtime)"
            else:
                return entry
        return dataclasses.replace(entry, problem=problem)

    def read_episodes(self) -> EpisodeRecords:
        path = self.root / MANIFEST_KEY
        try:
            return episodes_of(path.read_bytes())
        except FileNotFoundError:
            return {}
        except OSError as e:
            raise StoreError(f"cannot read the manifest: {e.strerror}", path) from e

    def write_manifest(self, manifest: Manifest, episodes: EpisodeRecords | None = None) -> None:
        self._write_bytes(MANIFEST_KEY, manifest_to_json(manifest, episodes))

    def clock(self) -> datetime:
        """This machine's time (a folder has no clock of its own worth a round trip)."""
        return datetime.now(UTC)

    # --- files -----------------------------------------------------------------------

    def set_notify(self, notify: Notify | None) -> None:
        """A folder does not report waits (a hung mount blocks in the kernel)."""

    def check(self) -> None:
        """Nothing to check before the lock: the folder is made on the first write."""

    def upload(self, files: Sequence[SiteFile], listener: UploadListener) -> None:
        """One file after another (one disk: parallel copies only add seeks)."""
        for f in files:
            if listener.stopping():
                return
            listener.started(f)
            etag = self.put(f, functools.partial(listener.progress, f))
            listener.done(f, etag)

    def put(self, file: SiteFile, progress: Progress) -> str:
        """Copy one file into place; returns its stamp (inode and mtime) for the manifest."""
        dest = self._path(file.key)
        # Named before it exists, so that a Ctrl-C at any moment from here on finds its name
        # to remove (tempfile.mkstemp returns it only once the file is there).
        tmp = str(dest.parent / f".tmp-{uuid.uuid4().hex}.part")
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"cannot write {file.key}: {e.strerror}", dest.parent) from e
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            written = 0
            with os.fdopen(fd, "wb") as out, file.path.open("rb") as src:
                while chunk := src.read(_CHUNK):
                    out.write(chunk)
                    written += len(chunk)
                    progress(len(chunk))
                out.flush()
                os.fsync(out.fileno())
            if written != file.size:
                raise StoreError(
                    f"{file.key} is {written} bytes on disk, {file.size} when built",
                    file.path,
                    hint="the build folder changed during publish; build again",
                )
            os.chmod(tmp, 0o644)  # a web server must read it
            os.replace(tmp, dest)
            stamp = _stamp(dest.stat())
        except OSError as e:
            _unlink(tmp)
            raise StoreError(f"cannot write {file.key}: {e.strerror}", dest) from e
        except BaseException:
            _unlink(tmp)
            raise
        _fsync_dir(dest.parent)
        return stamp

    def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            path.unlink(missing_ok=True)
        except OSError as e:
            raise StoreError(f"cannot delete {key}: {e.strerror}", path) from e
        # Remove folders the deletion left empty (e.g. episodes/ of a show with none left).
        parent = path.parent
        while parent != self.root and self.root in parent.parents:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent

    def head(self, key: str) -> int | None:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None
        except OSError as e:
            raise StoreError(f"cannot read {key}: {e.strerror}", self.root / key) from e

    def listing(self, prefix: str, *, known: Sequence[str] = ()) -> Listing:
        folder = self._path(prefix.rstrip("/")) if prefix.strip("/") else self.root
        found: Listing = {}
        try:
            paths = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
            for path in paths:
                st = path.stat()
                found[path.relative_to(self.root).as_posix()] = (st.st_size, _stamp(st))
        except OSError as e:
            raise StoreError(f"cannot list {prefix}: {e.strerror}", folder) from e
        return found

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as e:
            raise StoreError(f"cannot read {key}: {e.strerror}", path) from e

    # --- lock primitives (the algorithm is publisher.stores.lock) -----------------------

    @property
    def lock_where(self) -> str:
        return str(self.root / LOCK_KEY)

    def problem(self, message: str, hint: str | None = None) -> StoreError:
        return StoreError(message, self.root, hint=hint)

    def create_lock(self, data: bytes) -> str | None:
        path = self.root / LOCK_KEY
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:  # e.g. --to /some/file/show: a file where a folder must be
            raise _lock_error("cannot create the lock", e, path.parent) from e
        # The record is written to a private file first and then linked into place: link()
        # fails if the lock exists, and a lock that exists is always complete (never an
        # empty file another publish could mistake for an unreadable lock).
        draft = path.with_name(f".lock-{uuid.uuid4().hex}.tmp")
        try:
            draft.write_bytes(data)
            os.link(draft, path)
        except FileExistsError:
            return None
        except OSError as e:
            raise _lock_error("cannot create the lock", e, path) from e
        finally:
            _unlink(str(draft))
        return _version(data)

    def read_lock(self) -> tuple[bytes, str] | None:
        data = self._read_raw(self.root / LOCK_KEY)
        return None if data is None else (data, _version(data))

    def replace_lock(self, data: bytes, version: str) -> str | None:
        path = self.root / LOCK_KEY
        draft = path.with_name(f".lock-{uuid.uuid4().hex}.tmp")
        try:
            draft.write_bytes(data)
            if not self._take_aside(path, version):
                return None
            os.link(draft, path)  # fails if another publish took the free slot meanwhile
        except FileExistsError:
            return None
        except OSError as e:
            raise _lock_error("cannot renew the lock", e, path) from e
        finally:
            _unlink(str(draft))
        return _version(data)

    def delete_lock(self, version: str) -> bool:
        return self._take_aside(self.root / LOCK_KEY, version)

    def _take_aside(self, path: Path, version: str) -> bool:
        """Remove the lock at ``path`` only if it is still ``version``.

        Another publish may have replaced it meanwhile; deleting by name would then remove
        a live lock. So the lock is first renamed aside (atomic), and only what was moved is
        examined: the expected lock is deleted, anything else is put back. False when the
        expected lock was not removed."""
        aside = path.with_name(f".lock-{uuid.uuid4().hex}.stale")
        try:
            os.rename(path, aside)
        except FileNotFoundError:
            return False
        except OSError as e:
            raise _lock_error("cannot remove the lock", e, path) from e
        try:
            moved = self._read_raw(aside)
            if moved is not None and _version(moved) == version:
                return True
            # Not the lock expected: another publish's, taken meanwhile. Put it back unless
            # yet another has appeared; either way the next attempt judges what is there.
            with contextlib.suppress(FileExistsError):
                os.link(aside, path)
            return False
        except OSError as e:
            raise _lock_error("cannot restore the lock", e, path) from e
        finally:
            _unlink(str(aside))

    def _read_raw(self, path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as e:
            raise _lock_error("cannot read the lock", e, path) from e

    # --- leftovers -------------------------------------------------------------------

    def clean_leftovers(self, before: datetime) -> tuple[str, ...]:
        """Delete our temporary files older than ``before``: what a killed copy left (up to a
        whole media file, ``.tmp-*.part``) in the web root, and stray lock drafts
        (``.lock-*``; only a minute old or more: another publish may be racing for the lock)."""
        removed: list[str] = []
        for folder, dirs, names in os.walk(self.root):
            dirs.sort()
            for name in sorted(names):
                if name.startswith(".tmp-") and name.endswith(".part"):
                    limit = before.timestamp()
                elif name.startswith(".lock-") and name.endswith((".tmp", ".stale")):
                    limit = before.timestamp() - 60
                else:
                    continue
                path = Path(folder, name)
                with contextlib.suppress(OSError):
                    if path.lstat().st_mtime < limit:
                        path.unlink()
                        removed.append(path.relative_to(self.root).as_posix())
        return tuple(removed)

    # --- helpers ---------------------------------------------------------------------

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if any(part in ("", ".", "..") for part in parts) or (
            key.startswith(META_DIR) and key not in (MANIFEST_KEY, LOCK_KEY)
        ):
            raise StoreError(f"refusing to write outside the target: {key!r}", self.root)
        return self.root.joinpath(*parts)

    def _write_bytes(self, key: str, data: bytes) -> None:
        dest = self._path(key)
        tmp = ""
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".tmp-", suffix=".part")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, dest)
        except OSError as e:
            if tmp:
                _unlink(tmp)
            raise StoreError(f"cannot write {key}: {e.strerror}", dest) from e
        _fsync_dir(dest.parent)


def _lock_error(doing: str, e: OSError, path: Path) -> StoreError:
    hint = None
    if isinstance(e, (NotADirectoryError, FileExistsError)) or e.errno == errno.ENOTDIR:
        hint = "part of the target's path is a file, not a folder"
    return StoreError(f"{doing}: {e.strerror or type(e).__name__}", path, hint=hint)


def _version(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _stamp(st: os.stat_result) -> str:
    """What tells our copy of a file from one written over it later at the same size."""
    return f"ino:{st.st_ino}:mtime:{st.st_mtime_ns}"


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); not possible on every platform."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
