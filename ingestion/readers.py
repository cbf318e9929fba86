"""Where a source's bytes come from: a snapshot folder (demo or given) or the live service.

Each source asks its reader for the bytes the service would answer and parses them with one
parser, so a file in a snapshot folder and a live response go through the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingestion.settings import SourceSettings


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


def folder_reader(settings: SourceSettings, source: str) -> FolderReader:
    """The reader for a file-based run; the live services come with the live-sources work."""
    if settings.folder is None:
        raise SourceInputError(
            f"{source}: KLIMAMONITOR_SOURCE=live is not available yet; use 'demo' or a folder "
            "of source files in the live formats"
        )
    return FolderReader(settings.folder)
