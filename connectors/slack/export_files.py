"""The files of a Slack workspace export, from its .zip or from the folder it was unzipped to.

Sizes are checked before anything is unpacked: one member may unpack to at most 200 MB, and a
member that expands more than 500-fold (a zip bomb's signature) is refused, so a hostile archive
costs neither memory nor disk.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

MAX_MEMBER_BYTES = 200 * 1024 * 1024
MAX_RATIO = 500
MIN_RATIO_CHECK = 10 * 1024 * 1024  # small members may compress very well quite honestly


class ExportFileError(ValueError):
    """The export cannot be read as a whole; the message says what is wrong and what to do."""


class ExportFiles:
    """Read-only access to an export's files by their path inside the export (`a/b.json`)."""

    def __init__(self, path: Path) -> None:
        """Open an export.

        Args:
            path: the .zip file or the unzipped folder.
        """
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._files: dict[str, Path] = {}
        if path.is_dir():
            self._scan_folder()
        elif path.is_file():
            if not zipfile.is_zipfile(path):
                raise ExportFileError(
                    f"{path}: not a zip file; expected a Slack workspace export (.zip or the "
                    "folder it unzips to)"
                )
            try:
                self._zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError, ValueError) as exc:
                raise ExportFileError(f"{path}: unreadable zip ({str(exc)[:120]})") from None
            self._check_sizes()
        else:
            raise ExportFileError(f"{path}: no such file or folder")

    def _scan_folder(self) -> None:
        root = self.path.resolve()
        for item in sorted(root.rglob("*.json")):
            try:
                real = item.resolve()
            except OSError:
                continue
            if not real.is_file() or not real.is_relative_to(root):
                continue  # a link out of the export folder is not part of it
            self._files[item.relative_to(root).as_posix()] = real

    def _check_sizes(self) -> None:
        assert self._zip is not None
        for info in self._zip.infolist():
            if info.file_size > MAX_MEMBER_BYTES:
                raise ExportFileError(
                    f"{self.path}: member {info.filename[:100]!r} would unpack to "
                    f"{info.file_size // (1024 * 1024)} MB, over the 200 MB limit for one file; "
                    "this is not a Slack export as Slack writes them (unzip and check it)"
                )
            if info.file_size > MIN_RATIO_CHECK and info.file_size > MAX_RATIO * max(
                1, info.compress_size
            ):
                raise ExportFileError(
                    f"{self.path}: member {info.filename[:100]!r} expands "
                    f"{info.file_size // max(1, info.compress_size)}-fold, the signature of a "
                    "zip bomb; refused (Slack exports compress about 5-20-fold)"
                )

    def names(self) -> list[str]:
        """Every file's path inside the export, `/`-separated."""
        if self._zip is not None:
            return [n for n in self._zip.namelist() if not n.endswith("/")]
        return list(self._files)

    def read(self, name: str) -> bytes:
        """One file's bytes, never more than the size limit.

        Args:
            name: the path inside the export, as `names()` gives it.

        Returns:
            The content. Raises ExportFileError when it is over the limit.
        """
        if self._zip is not None:
            with self._zip.open(name) as fh:
                data = fh.read(MAX_MEMBER_BYTES + 1)
        else:
            with self._files[name].open("rb") as fh:
                data = fh.read(MAX_MEMBER_BYTES + 1)
        if len(data) > MAX_MEMBER_BYTES:
            raise ExportFileError(f"{self.path}: {name[:100]!r} is over the 200 MB limit")
        return data

    def close(self) -> None:
        """Release the zip file."""
        if self._zip is not None:
            self._zip.close()


def folder_and_base(name: str) -> tuple[str, str]:
    """A member's folder and file name (`general/2024-01-01.json` -> (`general`, `2024-01-01.json`))."""
    p = PurePosixPath(name)
    return str(p.parent) if str(p.parent) != "." else "", p.name
