"""A folder as a publish target (a web server's document root, a preview, a mounted share).

Each file is copied (never hardlinked: the build folder is rebuilt in place) to a temporary
file in the destination folder, fsynced, then renamed over the old one, so a reader sees
either the old or the new file, never half of one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import uuid
from pathlib import Path

from publisher.errors import StoreError
from publisher.model import SiteFile
from publisher.publish.plan import Manifest, ManifestEntry, manifest_from_json, manifest_to_json
from publisher.stores.base import (
    LOCK_KEY,
    LOCK_TTL,
    MANIFEST_KEY,
    META_DIR,
    LockGrant,
    LockInfo,
    LockRecord,
    Progress,
    grant,
    let_go,
    lock_held_error,
    new_lock,
    read_record,
    replaceable,
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
        """Trust the folder over the manifest: a missing or resized file is changed."""
        try:
            size = self._path(key).stat().st_size
        except FileNotFoundError:
            problem = "listed in the manifest but missing from the target"
        except (OSError, StoreError):
            problem = "listed in the manifest but unreadable on the target"
        else:
            if size == entry.size:
                return entry
            problem = f"{size} bytes on the target, {entry.size} in the manifest"
        return ManifestEntry(entry.sha256, entry.size, entry.kind, entry.content_type, problem)

    def write_manifest(self, manifest: Manifest) -> None:
        self._write_bytes(MANIFEST_KEY, manifest_to_json(manifest))

    # --- files -----------------------------------------------------------------------

    def put(self, file: SiteFile, progress: Progress) -> None:
        dest = self._path(file.key)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".tmp-", suffix=".part")
        except OSError as e:
            raise StoreError(f"cannot write {file.key}: {e.strerror}", dest.parent) from e
        try:
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
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; a web server must read it
            os.replace(tmp, dest)
        except OSError as e:
            _unlink(tmp)
            raise StoreError(f"cannot write {file.key}: {e.strerror}", dest) from e
        except BaseException:
            _unlink(tmp)
            raise
        _fsync_dir(dest.parent)

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

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as e:
            raise StoreError(f"cannot read {key}: {e.strerror}", path) from e

    # --- lock ------------------------------------------------------------------------

    def acquire_lock(self, *, break_lock: bool = False) -> LockGrant:
        path = self.root / LOCK_KEY
        replaced: LockRecord | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:  # e.g. --to /some/file/show: a file where a folder must be
            raise _lock_error("cannot create the lock", e, path.parent) from e
        for _attempt in range(3):
            lock = new_lock(LOCK_TTL)
            # The record is written to a private file first and then linked into place:
            # link() fails if the lock exists, and a lock that exists is always complete
            # (never an empty file another publish could mistake for an unreadable lock).
            draft = path.with_name(f".lock-{lock.token}.tmp")
            try:
                draft.write_bytes(lock.to_json())
                os.link(draft, path)
            except FileExistsError:
                judged = self._read_raw(path)
                if judged is None:
                    continue  # released meanwhile: race for it again
                held = read_record(judged, str(path))
                if not replaceable(held, break_lock):
                    assert isinstance(held, LockInfo)
                    raise lock_held_error(held, self.root) from None
                if self._remove_exactly(path, judged):
                    replaced = held
                continue
            except OSError as e:
                raise _lock_error("cannot create the lock", e, path) from e
            finally:
                _unlink(str(draft))
            return grant(lock, replaced, break_lock)
        last = self._read_lock(path)
        if isinstance(last, LockInfo):
            raise lock_held_error(last, self.root)
        raise StoreError("cannot take the lock: another publish keeps replacing it", path)

    def _remove_exactly(self, path: Path, judged: bytes) -> bool:
        """Remove the lock at ``path`` only if it is still the one read as ``judged``.

        Another publish may have removed that same stale lock and linked its own in the
        meantime; deleting by name would then remove a live lock. So the lock is first
        renamed aside (atomic), and only what was moved is examined: the judged lock is
        deleted, anything else is put back. False when the judged lock was not removed."""
        aside = path.with_name(f".lock-{uuid.uuid4().hex}.stale")
        try:
            os.rename(path, aside)
        except FileNotFoundError:
            return False  # removed meanwhile: race for it again
        except OSError as e:
            raise _lock_error("cannot remove the expired lock", e, path) from e
        try:
            moved = self._read_raw(aside)
            if moved == judged:
                return True
            # Not the lock we judged: another publish's, taken meanwhile. Put it back unless
            # yet another has appeared; either way the next attempt judges what is there.
            with contextlib.suppress(FileExistsError):
                os.link(aside, path)
            return False
        except OSError as e:
            raise _lock_error("cannot restore the lock", e, path) from e
        finally:
            _unlink(str(aside))

    def release_lock(self, mine: LockGrant) -> None:
        let_go(mine)
        path = self.root / LOCK_KEY
        held = self._read_lock(path)
        if isinstance(held, LockInfo) and held.token == mine.lock.token:
            try:
                path.unlink(missing_ok=True)
            except OSError as e:
                raise _lock_error("cannot remove the lock", e, path) from e

    def _read_lock(self, path: Path) -> LockRecord | None:
        data = self._read_raw(path)
        return None if data is None else read_record(data, str(path))

    def _read_raw(self, path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as e:
            raise _lock_error("cannot read the lock", e, path) from e

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
