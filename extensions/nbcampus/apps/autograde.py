"""``nbcampus autograde``: grade notebooks against an nbgrader source notebook, offline.

No hub, no database: the grading key is made from the source exactly as at release
(``nbcampus_graders.keys``, nbgrader's ``generate_assignment``), each submission becomes a
``GradingTask`` configured as the service's grading worker configures it (``GradingWorker``
settings: cell timeout, ``Sandbox``, ``CampusExecute``, ``LimitOutput``) and is graded by
``nbcampus_graders.autograde.grade`` in the same bubblewrap sandbox. For instructors checking an
assignment against sample answers before release, and for anyone checking the grader.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from traitlets import Bool, Integer, Unicode
from traitlets.config import Application

#: what a grading that crashed (no sandbox, a broken key) is reported as
FAILED = "failed"


def notebook_problem(path: Path) -> str | None:
    """Why ``path`` cannot be graded or graded against (missing, unreadable, not a notebook)."""
    import nbformat

    if not path.exists():
        return f"{path}: no such file"
    if not path.is_file():
        return f"{path}: not a file"
    try:
        nbformat.validate(nbformat.reads(path.read_text(encoding="utf-8"), as_version=4))
    except (OSError, UnicodeDecodeError) as e:
        return f"{path}: cannot be read ({e})"
    except Exception as e:  # JSON errors, nbformat validation errors, too deep nesting
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return f"{path}: not a valid Jupyter notebook ({first[:200]})"
    return None


def assignment_name(source: Path) -> str:
    """The assignment id the key is made under: the source's name, as nbgrader accepts it."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", source.stem) or "assignment"


def make_key(source: Path, course_id: str) -> bytes:
    """The grading key of the source notebook, made as the service makes it at release."""
    from nbcampus_graders.keys import generate_release

    with tempfile.TemporaryDirectory(prefix="nbcampus-autograde-") as tmp:
        folder = Path(tmp) / assignment_name(source)
        folder.mkdir()
        (folder / source.name).write_bytes(source.read_bytes())
        return generate_release(folder, course_id)[1]


def outcome(submission: str, result: Any = None, error: str = "") -> dict[str, Any]:
    """One submission's line: ``{"submission", "score", "max_score", "status", "cells"}`` and
    ``reasons`` (why a grade needs review, or why grading failed)."""
    if result is None:
        return {
            "submission": submission,
            "score": 0.0,
            "max_score": 0.0,
            "status": FAILED,
            "cells": [],
            "reasons": [error],
        }
    return {
        "submission": submission,
        "score": result.auto_score,
        "max_score": result.max_score,
        "status": result.state,
        "cells": result.cells,
        "reasons": list(result.review_reasons),
    }


def describe(line: dict[str, Any]) -> str:
    """A submission's outcome for people: total and status, then one line per graded cell."""
    rows = [f"{line['submission']}: {line['score']:g} / {line['max_score']:g} {line['status']}"]
    for cell in line["cells"]:
        points = "manual" if cell["points"] is None else f"{cell['points']:g}"
        rows.append(
            f"  {cell['notebook']}/{cell['grade_id']:<24} {points:>6} / "
            f"{cell['max_points']:<4g} {cell['status']}"
        )
    rows.extend(f"  {line['status']}: {reason}" for reason in line["reasons"])
    return "\n".join(rows)


class AutogradeApp(Application):
    """Grade submissions against an nbgrader source notebook with the service's sandbox, key
    making and rules, without a hub or a database."""

    name = "nbcampus-autograde"
    description = (
        "nbcampus autograde SOURCE.ipynb SUBMISSION.ipynb... [--json] [--cell-timeout=S]: grade "
        "notebooks against an nbgrader source notebook, offline"
    )
    aliases = {
        "cell-timeout": "AutogradeApp.cell_timeout",
        "course": "AutogradeApp.course_id",
        "config": "AutogradeApp.config_file",
    }
    flags = {"json": ({"AutogradeApp": {"json": True}}, "One JSON object per line per submission.")}

    json = Bool(False, help="Print one JSON object per line per submission.").tag(config=True)
    cell_timeout = Integer(
        0, help="Seconds one cell may run; 0: GradingWorker.cell_timeout, as in the service (30)."
    ).tag(config=True)
    course_id = Unicode("offline", help="The course id the key is made under.").tag(config=True)
    config_file = Unicode(
        "", help="A traitlets config file to load (Sandbox, CampusExecute, GradingWorker)."
    ).tag(config=True)

    def fail(self, message: str) -> None:
        print(f"nbcampus autograde: {message}", file=sys.stderr)
        self.exit(1)

    def start(self) -> None:
        from nbcampus.startup import skip_slow_imports

        skip_slow_imports()  # before nbformat (jsonschema) is imported
        if len(self.extra_args) < 2:
            self.fail(f"need a source notebook and at least one submission\n{self.description}")
        source, *submissions = (Path(a) for a in self.extra_args)
        problems = [p for p in map(notebook_problem, [source, *submissions]) if p]
        if problems:  # before the slow imports: a typo is answered at once
            self.fail("\n".join(problems))
        from nbcampus.school.grading.api import GradingWorker
        from nbcampus_graders.keys import KeyMakingError

        if self.config_file:
            self.load_config_file(self.config_file)

        try:
            key = make_key(source, self.course_id)
        except KeyMakingError as e:
            self.fail(f"{source}: no grading key could be made from it: {e}")
        with tempfile.TemporaryDirectory() as scratch:
            worker = GradingWorker(None, scratch, config=self.config)  # its settings, no database
            if self.cell_timeout:
                worker.cell_timeout = self.cell_timeout
            config = worker.task_config()
        self.grade_all(source, submissions, key, config)

    def grade_all(
        self, source: Path, submissions: list[Path], key: bytes, config: dict[str, Any]
    ) -> None:
        """Grade each submission in turn, printing its outcome as soon as it is known."""
        from tqdm import tqdm

        from nbcampus_graders.autograde import GradingTask, grade

        notebook = f"{Path(source).stem}.ipynb"
        bar = tqdm(
            total=len(submissions),
            unit="submission",
            desc="grading",
            disable=self.json,
            leave=False,
        )
        with bar:
            for n, path in enumerate(submissions):
                task = GradingTask(
                    submission_id=f"offline-{n}",
                    course_id=self.course_id,
                    assignment_id=assignment_name(source),
                    username=f"submission{n}",
                    files={notebook: path.read_bytes()},
                    key=key,
                    config=config,
                )
                try:
                    line = outcome(str(path), grade(task))
                except Exception as e:  # the grading crashed, not the learner's code
                    line = outcome(str(path), error=f"{type(e).__name__}: {e}")
                if self.json:
                    print(json.dumps(line), flush=True)
                else:
                    bar.write(describe(line), file=sys.stdout)
                bar.update()
