"""Checks of the notebooks in a course folder: nbgrader markup, quiz keys, lessons that leak nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat

from nbcampus.course.problem import Problem

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
QUESTION_TYPES = ("single", "multiple", "numeric", "text", "output")


class _Notebook:
    """A notebook read for checking, with the line where each cell starts in the file."""

    def __init__(self, path: Path):
        self.path = path
        self.nb: Any = None
        self.problems: list[Problem] = []
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            self.problems.append(
                Problem(path, 0, f"cannot read the notebook: {e}", "save it as UTF-8 JSON")
            )
            return
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as e:
            self.problems.append(
                Problem(
                    path,
                    e.lineno,
                    f"not valid JSON: {e.msg}",
                    "fix the JSON or re-save it from Jupyter",
                )
            )
            return
        if not isinstance(raw, dict) or raw.get("nbformat") != 4:
            self.problems.append(
                Problem(
                    path,
                    1,
                    f"nbformat {raw.get('nbformat') if isinstance(raw, dict) else '?'} "
                    "is not supported",
                    "save the notebook with Jupyter (nbformat 4)",
                )
            )
            return
        try:
            self.nb = nbformat.reads(text, as_version=4)
            nbformat.validate(self.nb)
        except nbformat.ValidationError as e:
            self.problems.append(
                Problem(path, 1, f"invalid notebook: {e.message}", "re-save it from Jupyter")
            )
            self.nb = None
            return
        self._cell_lines = [
            i + 1 for i, line in enumerate(text.splitlines()) if '"cell_type"' in line
        ]

    def line(self, index: int) -> int:
        return self._cell_lines[index] if index < len(self._cell_lines) else 1

    def add(self, index: int, message: str, hint: str = "") -> None:
        self.problems.append(
            Problem(self.path, self.line(index), f"cell {index + 1}: {message}", hint)
        )


def _nbgrader(cell: Any) -> dict[str, Any]:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def check_exercise_notebook(path: Path) -> tuple[list[Problem], float]:
    """Problems in one nbgrader source notebook and the points its graded cells carry."""
    notebook = _Notebook(path)
    if notebook.nb is None:
        return notebook.problems, 0.0
    total, solutions, tests = 0.0, 0, 0
    seen: dict[str, int] = {}
    for index, cell in enumerate(notebook.nb.cells):
        if not isinstance(cell.get("metadata", {}).get("nbgrader", {}), dict):
            notebook.add(
                index,
                "metadata.nbgrader must be an object",
                "redo the cell's markup in the Create Assignment toolbar",
            )
            continue
        meta = _nbgrader(cell)
        if not (
            meta.get("grade") or meta.get("solution") or meta.get("task") or meta.get("locked")
        ):
            continue
        grade_id = meta.get("grade_id")
        if not grade_id:
            notebook.add(
                index,
                "nbgrader cell without a grade_id",
                "give the cell a unique ID in the Create Assignment toolbar",
            )
        elif grade_id in seen:
            notebook.add(
                index,
                f"grade_id {grade_id!r} is also used by cell {seen[grade_id] + 1}",
                "give every graded cell its own grade_id",
            )
        else:
            seen[grade_id] = index
        source = cell.source
        if meta.get("grade") or meta.get("task"):
            points = meta.get("points")
            if not isinstance(points, (int, float)) or isinstance(points, bool) or points <= 0:
                notebook.add(
                    index,
                    f"graded cell {grade_id!r} has no positive points",
                    "set points on the cell",
                )
            else:
                total += points
        if meta.get("solution"):
            solutions += 1
            if cell.cell_type == "code" and not (
                BEGIN_SOLUTION in source and END_SOLUTION in source
            ):
                notebook.add(
                    index,
                    f"solution cell {grade_id!r} holds no solution between "
                    f"'{BEGIN_SOLUTION}' and '{END_SOLUTION}'",
                    "write the instructor's solution between the markers: this is the source version",
                )
            elif cell.cell_type == "markdown" and not source.strip():
                notebook.add(
                    index, f"written-answer cell {grade_id!r} is empty", "write a model answer"
                )
        if meta.get("grade") and not meta.get("solution") and cell.cell_type == "code":
            tests += 1
            if source.count(BEGIN_HIDDEN) != source.count(END_HIDDEN):
                notebook.add(
                    index,
                    "hidden test markers do not pair up",
                    f"close '{BEGIN_HIDDEN}' with '{END_HIDDEN}'",
                )
        if source.count(BEGIN_SOLUTION) != source.count(END_SOLUTION):
            notebook.add(
                index,
                "solution markers do not pair up",
                f"close '{BEGIN_SOLUTION}' with '{END_SOLUTION}'",
            )
    if not solutions:
        notebook.problems.append(
            Problem(path, 1, "no solution cell", "mark the answer cells as solutions")
        )
    if not tests and solutions:
        notebook.problems.append(
            Problem(path, 1, "no autograder test cell", "add a graded test cell with points")
        )
    return notebook.problems, total


def check_exercise_folder(folder: Path) -> tuple[list[Problem], float]:
    """Problems in an nbgrader source assignment folder and the total points of its notebooks."""
    if not folder.is_dir():
        return [
            Problem(
                folder,
                0,
                "the assignment's source folder does not exist",
                "put the nbgrader source notebooks in source/<assignment id>/",
            )
        ], 0.0
    notebooks = sorted(folder.glob("*.ipynb"))
    if not notebooks:
        return [
            Problem(folder, 0, "the assignment has no notebook", "add the nbgrader source notebook")
        ], 0.0
    problems: list[Problem] = []
    total = 0.0
    for path in notebooks:
        found, points = check_exercise_notebook(path)
        problems += found
        total += points
    return problems, total


def check_lesson(path: Path) -> list[Problem]:
    """A lesson is given to learners as it is: it must be a valid notebook holding no answers."""
    notebook = _Notebook(path)
    if notebook.nb is None:
        return notebook.problems
    for index, cell in enumerate(notebook.nb.cells):
        meta = _nbgrader(cell)
        if (
            BEGIN_SOLUTION in cell.source
            or BEGIN_HIDDEN in cell.source
            or meta.get("grade")
            or meta.get("solution")
        ):
            notebook.add(
                index,
                "a lesson holds nbgrader solution or test markup and would leak it to learners",
                "move graded work into source/<assignment>/",
            )
    return notebook.problems


def _question_problem(q: dict[str, Any]) -> str | None:
    """What is wrong with one question definition, or None."""
    kind = q.get("type")
    if not isinstance(q.get("id"), str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", q["id"]):
        return "question id must be letters, digits, '-' or '_'"
    if kind not in QUESTION_TYPES:
        return f"question type {kind!r} is not one of {', '.join(QUESTION_TYPES)}"
    points = q.get("points", 1)
    if not isinstance(points, (int, float)) or isinstance(points, bool) or points <= 0:
        return "points must be a positive number"
    answer = q.get("answer")
    if kind in ("single", "multiple"):
        options = q.get("options")
        if (
            not isinstance(options, list)
            or len(options) < 2
            or not all(isinstance(o, str) for o in options)
        ):
            return "a choice question needs at least two text options"
        valid = range(len(options))
        if kind == "single" and not (isinstance(answer, int) and answer in valid):
            return f"answer must be the index of one option (0..{len(options) - 1})"
        if kind == "multiple" and not (
            isinstance(answer, list)
            and answer
            and all(isinstance(a, int) and a in valid for a in answer)
        ):
            return f"answer must be a list of option indexes (0..{len(options) - 1})"
    elif kind == "numeric":
        if not isinstance(answer, (int, float)) or isinstance(answer, bool):
            return "answer must be a number"
        tolerance = q.get("tolerance", 0)
        if not isinstance(tolerance, (int, float)) or tolerance < 0:
            return "tolerance must be a number >= 0"
    elif kind == "text":
        patterns = q.get("patterns")
        if not isinstance(patterns, list) or not patterns:
            return "a text question needs patterns: a list of regular expressions"
        for pattern in patterns:
            try:
                re.compile(pattern)
            except (re.error, TypeError) as e:
                return f"pattern {pattern!r} is not a regular expression: {e}"
    elif kind == "output":
        if not isinstance(q.get("code"), str) or not q["code"].strip():
            return "an output question needs the code whose output is asked"
        if not isinstance(answer, str):
            return "answer must be the exact text the code prints"
    return None


def check_quiz(path: Path) -> list[Problem]:
    """A quiz notebook: markdown questions with well-formed definitions and keys."""
    notebook = _Notebook(path)
    if notebook.nb is None:
        return notebook.problems
    seen: set[str] = set()
    count = 0
    for index, cell in enumerate(notebook.nb.cells):
        nbcampus = cell.get("metadata", {}).get("nbcampus", {})
        question = nbcampus.get("question") if isinstance(nbcampus, dict) else nbcampus
        if question is None:
            continue
        count += 1
        if not isinstance(question, dict):
            notebook.add(
                index, "metadata.nbcampus.question must be an object", "see docs/course-format.md"
            )
            continue
        problem = _question_problem(question)
        if problem:
            notebook.add(
                index,
                f"question {question.get('id')!r}: {problem}",
                "see the quiz table in docs/course-format.md",
            )
        elif question["id"] in seen:
            notebook.add(
                index,
                f"question id {question['id']!r} is used twice",
                "give each question its own id",
            )
        if isinstance(question.get("id"), str):
            seen.add(question["id"])
        if cell.cell_type != "markdown" or not cell.source.strip():
            notebook.add(
                index,
                "a question cell must be a markdown cell holding the prompt",
                "write the question text",
            )
    if not count:
        notebook.problems.append(
            Problem(
                path,
                1,
                "the quiz has no question",
                "add markdown cells with metadata.nbcampus.question",
            )
        )
    return notebook.problems
