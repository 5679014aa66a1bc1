"""File access for call archives, which are untrusted: folders come from many stations, USB
sticks and disks that filled up, and anyone with write access may have planted a symlink.

Nothing here follows a symlink (O_NOFOLLOW, lstat), reads anything but a regular file, or
writes through a name another process could guess: a re-score never writes outside the
folder it was given. A temp file left by a kill between fsync and rename is finished (or
removed, when partial) by the next reader.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from roleplay.model.errors import ArchiveError
from roleplay.model.message import Msg

# A write in progress takes milliseconds; a temp file this old whose writer is alive is stale.
_TEMP_GRACE_S = 60.0


def is_file(path: Path) -> bool:
    """A regular file that is not a symlink."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def is_real_dir(path: Path) -> bool:
    """A folder that is not a symlink: a walk that follows links can leave its root or loop."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def read_bytes(path: Path, max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file, never through a symlink; OSError as usual when missing."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        if error.errno == errno.ELOOP:   # ELOOP: the name is a symlink
            raise ArchiveError(Msg("{path}: is a symbolic link, which the archive does not follow; replace it with the file itself", path=path)) from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ArchiveError(Msg("{path}: not a regular file; replace it with the file itself", path=path))
        if max_bytes is not None and info.st_size > max_bytes:
            raise ArchiveError(Msg("{path}: {st_size:,} bytes is more than the {max_bytes:,} this archive reads; check the file", path=path, st_size=info.st_size, max_bytes=max_bytes))
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def open_lock(path: Path) -> int:
    """A lock file's descriptor, created if need be, never through a planted symlink."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise ArchiveError(Msg("{path}: is a symbolic link; remove it (the archive makes its own)", path=path)) from None
        raise ArchiveError(Msg("{path}: cannot lock the call ({strerror})", path=path, strerror=error.strerror)) from None


def write_atomic(path: Path, data: bytes, sync_dir: bool = True) -> None:
    """Replace `path` with `data`: readers see the old file or the new one, never a mix.

    The temp name is random and created with O_EXCL | O_NOFOLLOW, so a symlink planted under
    a guessable name cannot redirect the write. The pid in the name tells a later reader
    whether its writer may still be running (recover_temp_files)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    try:
        try:
            view = memoryview(data)
            while view:  # a regular file takes it all at once; the loop is for the rule
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if sync_dir:
        fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    # The rename itself is only durable once the directory entry reaches the disk.
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def recover_temp_files(path: Path, is_complete: Callable[[bytes], bool]) -> None:
    """Finish or remove the temp files a killed writer of `path` left behind.

    A complete temp file newer than `path` (killed between fsync and rename) becomes `path`:
    it holds the newest state, such as a scorecard just saved. A partial or older one is
    removed. One whose writer is alive and which is recent is left alone (in progress)."""
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        if not is_file(tmp) or _writer_busy(tmp):
            continue
        try:
            newer = not is_file(path) or os.lstat(tmp).st_mtime >= os.lstat(path).st_mtime
            if newer and is_complete(read_bytes(tmp)):
                os.replace(tmp, path)
            else:
                tmp.unlink()
        except (OSError, ArchiveError):
            continue   # another reader got there first, or the folder is read-only


def _writer_busy(tmp: Path) -> bool:
    parts = tmp.name.split(".")
    pid = int(parts[-3]) if len(parts) >= 4 and parts[-3].isdigit() else 0
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True   # this process writes it now (another thread)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        pass   # alive, owned by another user
    try:
        return time.time() - os.lstat(tmp).st_mtime < _TEMP_GRACE_S
    except OSError:
        return True


def json_complete(loads: Callable[[bytes], Any]) -> Callable[[bytes], bool]:
    """A test for recover_temp_files: the bytes are one whole JSON object."""
    def check(data: bytes) -> bool:
        try:
            return isinstance(loads(data), dict)
        except (ValueError, RecursionError):
            return False
    return check
