"""What the learner sees of a graded notebook: hidden tests removed, any output quoting them
redacted, and the error of a visible test that failed (message and traceback)."""

from __future__ import annotations

import ast
import copy
import re

from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests

from .guard import rewrite_test_cell


def learner_view(nb: NotebookNode, sources: dict[str, str]) -> NotebookNode:
    """The executed notebook as the learner may see it: hidden tests removed, source and output.

    A test cell that held hidden tests shows the released source and, instead of its outputs,
    only whether it passed. Any other output line quoting a hidden test line is redacted.
    """
    view = copy.deepcopy(nb)
    hidden_lines: set[str] = set()
    clear = ClearHiddenTests()
    for cell in view.cells:
        if not utils.is_grade(cell) or utils.is_solution(cell):
            continue
        source = sources.get(cell.metadata.nbgrader["grade_id"], cell.source)
        stripped = copy.deepcopy(cell)
        stripped.source = source
        stripped, _ = clear.preprocess_cell(stripped, {}, 0)
        if stripped.source != source:
            # as written, and as the grader ran it (rewritten asserts)
            for full, kept_source in (
                (source, stripped.source),
                (
                    rewrite_test_cell(source, "x") or "",
                    rewrite_test_cell(stripped.source, "x") or "",
                ),
            ):
                kept = {line.strip() for line in kept_source.splitlines()}
                hidden_lines |= {
                    line.strip()
                    for line in full.splitlines()
                    if len(line.strip()) >= 6 and line.strip() not in kept
                }
            failed = (
                any(
                    o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr")
                    for o in cell.get("outputs", [])
                )
                or cell.metadata.get("nbcampus", {}).get("status") != "ok"
            )
            cell.source = stripped.source
            visible_error = visible_failure(cell, source) if failed else None
            if visible_error is not None:
                cell.outputs = [
                    visible_error,
                    _say("Hidden tests: not run (a visible test failed first)\n"),
                ]
            else:
                cell.outputs = [_say("Hidden tests: " + ("FAILED\n" if failed else "passed\n"))]
    if hidden_lines:
        for cell in view.cells:
            for output in cell.get("outputs", []):
                _redact(output, hidden_lines)
    for cell in view.cells:
        cell.metadata.pop("nbcampus", None)
    return view


def _say(text: str) -> NotebookNode:
    return NotebookNode(output_type="stream", name="stdout", text=text)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CELL_FRAME = re.compile(r"Cell In\[(\d+)\], line (\d+)")
_HIDDEN_BEGIN, _HIDDEN_END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"


def _failing_statement(source: str, ran_line: int) -> ast.stmt | None:
    """The statement of the test cell's ``source`` (hidden tests included) that ran as line
    ``ran_line`` of the grader's rewritten cell (``guard.rewrite_test_cell``: one statement
    more, the marker, before the last expression or at the end); None if it cannot be told."""
    ran = rewrite_test_cell(source, "x")
    if ran is None:
        return None
    ran_body, body = ast.parse(ran).body, ast.parse(source).body
    index = next(
        (i for i, s in enumerate(ran_body) if s.lineno <= ran_line <= (s.end_lineno or s.lineno)),
        None,
    )
    if index is None or len(ran_body) != len(body) + 1:
        return None
    marker = len(body) - 1 if body and isinstance(body[-1], ast.Expr) else len(body)
    if index == marker:
        return None
    return body[index if index < marker else index - 1]


def _hidden_line_numbers(source: str) -> set[int]:
    """Line numbers (from 1) of ``source`` inside the hidden-test markers, markers included."""
    hidden, inside = set(), False
    for number, line in enumerate(source.splitlines(), start=1):
        if _HIDDEN_BEGIN in line.upper():
            inside = True
        if inside:
            hidden.add(number)
        if _HIDDEN_END in line.upper():
            inside = False
    return hidden


def visible_failure(cell: NotebookNode, source: str) -> NotebookNode | None:
    """The error of a failed test cell, if a visible test line raised it: its message and its
    traceback, the test cell's own frame reduced to that visible line (the grader ran the
    cell rewritten and with the hidden tests, whose lines IPython shows around it). None when
    the error came from a hidden test, or its place cannot be told: then nothing is shown."""
    error = next((o for o in cell.get("outputs", []) if o.output_type == "error"), None)
    if error is None:
        return None
    traceback = list(error.get("traceback", []))
    frame = next(
        (i for i, entry in enumerate(traceback) if _CELL_FRAME.search(_ANSI.sub("", entry))), None
    )
    if frame is None:
        return None
    where = _CELL_FRAME.search(_ANSI.sub("", traceback[frame]))
    statement = _failing_statement(source, int(where.group(2)))
    if statement is None:
        return None
    lines = range(statement.lineno, (statement.end_lineno or statement.lineno) + 1)
    if _hidden_line_numbers(source) & set(lines):
        return None
    shown = source.splitlines()[statement.lineno - 1 : lines[-1]]
    own = [f"Cell In[{where.group(1)}], line {lines[0]}", f"----> {lines[0]} {shown[0]}"]
    own += [f"      {n} {text}" for n, text in zip(lines[1:], shown[1:], strict=False)]
    traceback[frame] = "\n".join(own) + "\n"
    return NotebookNode(
        output_type="error",
        ename=error.get("ename", ""),
        evalue=error.get("evalue", ""),
        traceback=traceback,
    )


def _redact(output: NotebookNode, hidden: set[str]) -> None:
    def clean(text: str) -> str:
        return "\n".join(
            "[hidden test redacted]" if any(h in line for h in hidden) else line
            for line in text.split("\n")
        )

    if "text" in output:
        output.text = clean(output.text)
    if "traceback" in output:
        output.traceback = [clean(line) for line in output.traceback]
    for mime, value in list(output.get("data", {}).items()):
        if isinstance(value, str):
            output.data[mime] = clean(value)
