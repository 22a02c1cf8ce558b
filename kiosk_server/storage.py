"""MediaStore: files kept by the sha256 of their bytes, `<MEDIA_DIR>/<sha[:2]>/<sha>`.

The same bytes are one object however often and by whichever unit they are uploaded. A file is
written to a temporary name inside the store (same file system) while it is hashed, then renamed
into place, so a reader never sees half a file and a refused upload leaves nothing under its name.
A disk that fills up mid-write (ENOSPC, or EDQUOT over a quota) raises StoreFull once the partial file
is gone. nginx may serve the directory as is in production.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app

CHUNK = 1024 * 1024
INCOMING = ".incoming"  # temporary files being written; never served
_SHA256 = re.compile(r"[0-9a-f]{64}")
_FULL = (errno.ENOSPC, errno.EDQUOT)


class StoreFull(OSError):
    """Raised when the store's disk (or the owner's quota) has no room for what is being written."""


class InvalidObjectName(ValueError):
    """Raised for a name that is not 64 lowercase hexadecimal digits (no path ever reaches disk)."""


def is_object_name(value: str) -> bool:
    """Return True when `value` is a sha256 in the store's spelling: 64 lowercase hex digits."""
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


@dataclass
class StagedObject:
    """A hashed temporary file in the store, not yet visible under its sha256."""

    sha256: str
    size: int
    path: Path


class MediaStore:
    """Content-addressed files under `root`."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        """Return where the object `sha256` lives (whether or not it exists)."""
        if not is_object_name(sha256):
            raise InvalidObjectName(f"not a sha256 object name: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        """Return True when the object is stored."""
        return self.path(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        """Return the object opened for binary reading (FileNotFoundError when missing)."""
        return self.path(sha256).open("rb")

    def delete(self, sha256: str) -> bool:
        """Remove the object; return True if it was there."""
        try:
            self.path(sha256).unlink()
        except FileNotFoundError:
            return False
        return True

    def free_bytes(self) -> int | None:
        """Return the bytes free for writing on the store's file system, or None when it cannot be read."""
        place = self.root
        while not place.exists() and place != place.parent:  # a store not yet made: the disk it would be on
            place = place.parent
        try:
            return shutil.disk_usage(place).free
        except OSError:
            return None

    def put(self, stream: BinaryIO) -> tuple[str, int]:
        """Store everything `stream` yields; return its (sha256, size). Storing it again changes nothing."""
        staged = self.stage(stream)
        self.commit(staged)
        return staged.sha256, staged.size

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        """Store `data`; return its (sha256, size)."""
        return self.put(io.BytesIO(data))

    def stage(self, stream: BinaryIO) -> StagedObject:
        """Copy `stream` to a temporary file in the store while hashing it; return it uncommitted."""
        incoming = self.root / INCOMING
        incoming.mkdir(parents=True, exist_ok=True)
        with _full_disk_refused(self.root):
            fd, name = tempfile.mkstemp(dir=incoming, prefix="upload-")
        path = Path(name)
        digest = hashlib.sha256()
        size = 0
        try:
            with _full_disk_refused(self.root), os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return StagedObject(digest.hexdigest(), size, path)

    def stage_bytes(self, data: bytes) -> StagedObject:
        """Stage `data` (see `stage`)."""
        return self.stage(io.BytesIO(data))

    def commit(self, staged: StagedObject) -> bool:
        """Move a staged file under its sha256; return True when the object is new to the store."""
        final = self.path(staged.sha256)
        if final.is_file():
            staged.path.unlink(missing_ok=True)
            return False
        try:
            with _full_disk_refused(self.root):  # a new folder or a longer directory needs a block too
                final.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(staged.path, 0o644)  # mkstemp makes it private; the web server must read it
                os.replace(staged.path, final)
        except StoreFull:
            staged.path.unlink(missing_ok=True)
            raise
        return True

    def discard(self, staged: StagedObject) -> None:
        """Remove a staged file that will not be committed (no-op once committed)."""
        staged.path.unlink(missing_ok=True)


@contextmanager
def _full_disk_refused(root: Path) -> Iterator[None]:
    """Turn a full disk or quota met inside the block into StoreFull (other OSErrors pass unchanged)."""
    try:
        yield
    except StoreFull:
        raise
    except OSError as error:
        if error.errno in _FULL:
            raise StoreFull(error.errno, f"no space left for the media store {root}") from error
        raise


def configured_store(config_key: str) -> MediaStore:
    """Return the current app's store in the folder its config `config_key` names, made again when that changes."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    stores = app.extensions.setdefault("stores", {})
    store = stores.get(config_key)
    if store is None or str(store.root) != app.config[config_key]:
        store = stores[config_key] = MediaStore(app.config[config_key])
    return store


def media_store() -> MediaStore:
    """Return the store of the current app (config MEDIA_DIR)."""
    return configured_store("MEDIA_DIR")
