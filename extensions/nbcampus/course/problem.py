"""A problem found in a course folder: what is wrong, where, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


def where_text(path: tuple[Any, ...]) -> str:
    """A place in the course file as a reader writes it: ``modules[0].lessons[1].file``."""
    return "".join(
        f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(path)
    )


@dataclass(frozen=True)
class Problem:
    """One error in a course folder, pointing at a file and a line (1-based; 0 when none)."""

    file: Path
    line: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else f"{self.file}"
        text = f"{where}: error: {self.message}"
        if self.hint:
            text += f"\n    fix: {self.hint}"
        return text
