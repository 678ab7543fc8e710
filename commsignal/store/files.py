"""Private files: every file commsignal writes is 0600 in a 0700 folder, and appears whole or not at all."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import TextIO

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: str | os.PathLike[str]) -> Path:
    """Create a folder (and any missing parents) with mode 0700, whatever the umask.

    Args:
        path: the folder.

    Returns:
        The folder as a Path. A folder that already existed keeps its mode: it may be shared
        (the working directory, /tmp), and narrowing it is the owner's decision.
    """
    folder = Path(path)
    missing = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for created in reversed(missing):
        with contextlib.suppress(FileExistsError):
            created.mkdir(mode=DIR_MODE)
        os.chmod(created, DIR_MODE)  # mkdir's mode is narrowed by the umask, never widened
    return folder


def atomic_write(
    path: str | os.PathLike[str], data: str | bytes, *, exclusive: bool = False
) -> Path:
    """Write a whole file with mode 0600: a temp file in the same folder, fsynced, then renamed.

    A reader (or a crash) sees either the old file or the new one, never a part; the file never
    exists with a wider mode, whatever the umask.

    Args:
        path: the file to (re)place; its folder is created 0700 when missing.
        data: text (written as UTF-8) or bytes.
        exclusive: refuse (FileExistsError) when `path` exists, and never replace one that
            appears meanwhile (hard-linked into place, so two first runs cannot both win).

    Returns:
        The path written.
    """
    target = Path(path)
    private_dir(target.parent)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE)
        if exclusive:
            os.link(tmp, target)  # fails with FileExistsError instead of replacing
            tmp.unlink()
        else:
            os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return target


def private_file(path: str | os.PathLike[str]) -> None:
    """Narrow an existing file (e.g. a SQLite WAL or SHM file SQLite created) to 0600."""
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, FILE_MODE)


def remove_quietly(paths: list[Path]) -> None:
    """Delete files that may or may not exist (the cleanup of a failed run)."""
    for p in paths:
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def private_open(path: str | os.PathLike[str], newline: str | None = None) -> TextIO:
    """Open a text file for writing, created (or truncated) with mode 0600, for streamed output.

    Stream into a temp name and `os.replace` it when done if readers must never see a part.
    """
    target = Path(path)
    private_dir(target.parent)
    fd = os.open(target, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, FILE_MODE)
    os.fchmod(fd, FILE_MODE)  # an existing file keeps its old mode through O_CREAT
    return os.fdopen(fd, "w", encoding="utf-8", newline=newline)
