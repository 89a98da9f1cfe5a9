"""``nbcampus grades export COURSE``: the course's gradebook as the CSV Moodle or Canvas imports
(through the API, with the same staff-only refusal)."""

from __future__ import annotations

import sys
from pathlib import Path

from traitlets import Enum, Unicode

from nbcampus.apps.client import APIClientApp


class GradebookExportApp(APIClientApp):
    """Write the gradebook of a course: a column per exercise and quiz, the course score."""

    name = "nbcampus-grades-export"
    description = "nbcampus grades export COURSE [--format=moodle|canvas] [--output=FILE]"
    aliases = {
        **APIClientApp.aliases,
        "format": "GradebookExportApp.format",
        "output": "GradebookExportApp.output",
    }

    format = Enum(
        ["moodle", "canvas"], "moodle", help="Moodle's grade import CSV or Canvas's gradebook CSV."
    ).tag(config=True)
    output = Unicode("", help="Write the CSV to this file (default: standard output).").tag(
        config=True
    )

    def start(self) -> None:
        (course,) = self.need_args(1, self.description)
        text = self.call(
            "GET", f"courses/{course}/gradebook", params={"format": self.format}, text=True
        )
        if not self.output:
            sys.stdout.write(text)
            return
        Path(self.output).write_text(text, encoding="utf-8", newline="")
        lines = max(text.count("\n") - (2 if self.format == "canvas" else 1), 0)
        print(f"{course}: gradebook of {lines} learner(s) written to {self.output} ({self.format})")
