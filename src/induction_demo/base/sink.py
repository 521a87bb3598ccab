"""Where output goes: a file written so that nothing half-written is left.

- A path that is not a regular file (``/dev/null``, a FIFO, ``/dev/stdout``)
  is written through, in place: it is not replaced by a file.
- A regular file (or a new one) is written to a temporary file in its own
  directory, then renamed over it, so a failure or an interrupt leaves the
  old file as it was and no temporary file behind. A symlink is followed:
  its target is replaced, in the target's directory, and the link stays.
- The new file keeps the old one's mode, and its owner where the process may
  set it; a read-only file (no write bit) is refused unless ``force``.
- A file with other hard links gets a new inode: the other names keep the old
  content, and ``write`` returns a note saying so.
"""
from __future__ import annotations

import os
import stat
from typing import Iterable, Union

Data = Union[bytes, str, Iterable[str]]


class Refused(Exception):
    """The path cannot be written as asked (a directory, read-only without --force)."""


class Failed(Exception):
    """The system failed the write (no such folder, no space, no permission)."""


def write_to(binary, data: Data) -> int:
    """bytes, text or text chunks to a binary stream, as UTF-8; the bytes written."""
    if isinstance(data, bytes):
        return write_all(binary, data)
    if isinstance(data, str):
        return write_all(binary, data.encode("utf-8"))
    return sum(write_all(binary, chunk.encode("utf-8")) for chunk in data)


def write_all(binary, data: bytes) -> int:
    """Every byte of ``data``, or an error. A buffered stream's write into a
    pipe its reader closed returns what went through and swallows the error
    (EPIPE) the rest met: the rest is written again, which raises it."""
    view, done = memoryview(data), 0
    while done < len(data):
        wrote = binary.write(view[done:])
        if not wrote:
            raise BrokenPipeError("standard output took no more bytes")
        done += wrote
    return done


def temporary_name(folder: str, name: str) -> str:
    """A new name beside ``name`` in ``folder``, within the file system's name limit."""
    try:
        limit = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = 255
    tail = f".{os.urandom(4).hex()}.part"
    room = max(limit - len(tail) - 1, 1)  # the limit is in bytes: cut whole characters until the name fits
    kept = name
    while len(os.fsencode(kept)) > room and len(kept) > 1:
        kept = kept[:-1]
    return os.path.join(folder, "." + kept + tail)


def writable(path: str, force: bool = False) -> os.stat_result | None:
    """Refuse (Refused, Failed) a path ``write`` could not write, before the
    work that makes its data (train checks --save and -o before its first
    step); the path's stat, or None where no file is there yet."""
    try:
        current = os.stat(path)  # follows symlinks
    except FileNotFoundError:
        current = None
    except OSError as error:
        raise Failed(f"cannot write {path}: {error.strerror}") from None
    if current is not None and stat.S_ISDIR(current.st_mode):
        raise Refused(f"cannot write {path}: it is a directory")
    if current is None or stat.S_ISREG(current.st_mode):
        target = os.path.realpath(path)
        folder = os.path.dirname(target)
        if current is not None and not force and not (current.st_mode & 0o222 and os.access(target, os.W_OK)):
            raise Refused(f"{path} is read-only: give --force to replace it")
        if not os.path.isdir(folder):
            raise Failed(f"cannot write {path}: the directory {folder} does not exist")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise Failed(f"cannot write {path}: Permission denied in {folder}")
    return current


def write(path: str, data: Data, force: bool = False) -> tuple[int, str | None]:
    """Write ``data`` to ``path`` (see the module's docstring); return the
    bytes written and a note for the person (a broken hard link), or None."""
    current = writable(path, force)
    if current is not None and not stat.S_ISREG(current.st_mode):
        try:
            with open(path, "wb") as handle:  # a device, FIFO or terminal: through, in place
                size = write_to(handle, data)
        except OSError as error:
            raise Failed(f"cannot write {path}: {error.strerror}") from None
        return size, None
    target = os.path.realpath(path)
    folder = os.path.dirname(target)
    temporary = os.path.basename(temporary_name(folder, os.path.basename(target)))
    name = os.path.basename(target)
    try:  # every step by the folder's descriptor: a folder renamed mid-write still gets its file back, or loses it
        where = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as error:
        raise Failed(f"cannot write {path}: {error.strerror} ({folder})") from None
    try:  # from the moment the temporary file may exist until it is renamed: any failure removes it
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600, dir_fd=where)
        except FileExistsError:  # another writer's name (8 random hex digits): leave it be
            raise Failed(f"cannot write {path}: a temporary name was taken, try again") from None
        except OSError as error:
            raise Failed(f"cannot write {path}: {error.strerror} in {folder}") from None
        with os.fdopen(descriptor, "wb") as handle:
            size = write_to(handle, data)
            if current is not None:
                os.chmod(handle.fileno(), stat.S_IMODE(current.st_mode))
                try:
                    os.chown(handle.fileno(), current.st_uid, current.st_gid)
                except PermissionError:
                    pass  # only root may give a file to another owner
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(handle.fileno(), 0o666 & ~umask)
        try:
            moved = not os.path.samestat(os.fstat(where), os.stat(folder))
        except OSError:
            moved = True
        if moved:  # the folder was renamed or removed while the file was written: say so, leave nothing
            raise OSError(f"the directory {folder} was moved while the file was written; nothing was written")
        os.replace(temporary, name, src_dir_fd=where, dst_dir_fd=where)
    except Failed:
        raise
    except OSError as error:
        _remove(temporary, where)
        raise Failed(f"cannot write {path}: {error.strerror or error}") from None
    except BaseException:  # an interrupt (SIGINT, SIGTERM, SIGHUP): leave nothing behind
        _remove(temporary, where)
        raise
    finally:
        os.close(where)
    if current is not None and current.st_nlink > 1:
        return size, (f"{path} had {current.st_nlink} hard links: it now has new content, the other "
                      f"{current.st_nlink - 1} keep the old")
    return size, None


def _remove(path: str, folder: int | None = None) -> None:
    """Remove ``path`` (relative to the open ``folder``, where given) if it is
    there, with the signals that stop the tool held until it is gone (a second
    Ctrl-C must not leave the file behind)."""
    import signal

    held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        os.unlink(path, dir_fd=folder)
    except FileNotFoundError:
        pass
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
