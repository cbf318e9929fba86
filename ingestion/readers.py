"""A snapshot folder's files (demo or given), and the error every source raises on bad input.

A file in a snapshot folder and a live answer (ingestion/services.py) are the same bytes and go
through the same parser.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingestion.settings import Settings


class SourceInputError(RuntimeError):
    """A source's input is missing or unreadable; the message names the source and the input."""


@dataclass(frozen=True)
class FolderReader:
    """Reads the service's answers from a snapshot folder laid out like the demo folder."""

    root: Path

    def read(self, relative: str) -> bytes:
        path = self.root / relative
        if not path.is_file():
            raise SourceInputError(f"{path}: missing (expected in the snapshot folder {self.root})")
        return path.read_bytes()

    def has(self, relative: str) -> bool:
        return (self.root / relative).is_file()

    def glob(self, pattern: str) -> list[Path]:
        return sorted(self.root.glob(pattern))

    def stamp(self, path: Path) -> str:
        """ "<modified> <size>" of a file: a file loaded with the same stamp is not read again
        (the plan inbox compares the same)."""
        stat = path.stat()
        return f"{stat.st_mtime_ns} {stat.st_size}"


def folder_reader(settings: Settings, source: str) -> FolderReader:
    """The reader of a file-based run (demo or a snapshot folder)."""
    if settings.folder is None:
        raise SourceInputError(f"{source}: a live run reads the service, not a folder")
    return FolderReader(settings.folder)
