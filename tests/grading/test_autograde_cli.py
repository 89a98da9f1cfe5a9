"""``nbcampus autograde SOURCE SUBMISSION... [--json]``: offline grading with the service's rules.

Runs the real command (a new process): the key is made by real nbgrader from a real source
notebook, submissions run in the real bubblewrap sandbox.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from nbcampus.school.core.api import CampusError
from nbcampus.school.publishing import releases

from .conftest import answer

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "tests" / "files" / "courses" / "minimal" / "source" / "ex1" / "ex1.ipynb"
CORRECT = "def double(x):\n    return 2 * x"
WRONG = "def double(x):\n    return x + 2"  # passes the visible test only
CHEATS = {
    "exit": WRONG + "\nimport sys\nsys.exit(0)",
    "lying-eq": "class Anything:\n    def __eq__(self, other):\n        return True\n"
    "def double(x):\n    return Anything()",
    "quiet-errors": "get_ipython().showtraceback = lambda *a, **k: None\n" + WRONG,
    "endless": "while True:\n    pass",  # stopped by --cell-timeout
}
KEYS = {"submission", "score", "max_score", "status", "cells"}


def autograde(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nbcampus", "autograde", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


@pytest.fixture(scope="module")
def submissions(ex1, tmp_path_factory) -> dict[str, Path]:
    """The released ex1 notebook answered right, wrong and with tricks, as files."""
    files, _ = ex1
    folder = tmp_path_factory.mktemp("offline")
    paths = {}
    for name, code in {"right": CORRECT, "wrong": WRONG, **CHEATS}.items():
        paths[name] = folder / f"{name}.ipynb"
        paths[name].write_bytes(answer(files, code)["ex1.ipynb"])
    return paths


def test_json_lines_give_each_submission_its_service_grade(submissions):
    order = ["right", "wrong", *CHEATS]
    run = autograde(
        SOURCE,
        *(submissions[n] for n in order),
        "--json",
        "--cell-timeout=5",
        cwd=submissions["right"].parent,
    )
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [line["submission"] for line in lines] == [str(submissions[n]) for n in order]
    by_name = dict(zip(order, lines, strict=True))
    for line in lines:
        assert KEYS <= set(line), line
        assert line["max_score"] == 2 and line["status"] in ("graded", "review", "failed")
        [cell] = [c for c in line["cells"] if c["grade_id"] == "test_double"]
        assert cell["max_points"] == 2 and cell["points"] == line["score"]
    assert (by_name["right"]["score"], by_name["right"]["status"]) == (2, "graded")
    assert by_name["wrong"]["score"] < 2
    for cheat in CHEATS:
        assert by_name[cheat]["score"] == 0, (cheat, by_name[cheat])
    # patching the grader is caught and said, as in the service
    assert by_name["quiet-errors"]["status"] == "review"
    assert "showtraceback" in " ".join(by_name["quiet-errors"]["reasons"])


def test_the_source_itself_gets_full_marks_and_people_read_cells_and_totals(submissions):
    run = autograde(SOURCE, SOURCE, submissions["wrong"], cwd=submissions["wrong"].parent)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert f"{SOURCE}: 2 / 2 graded" in out
    assert f"{submissions['wrong']}: 0 / 2 graded" in out
    cell_lines = [line for line in out.splitlines() if "ex1/test_double" in line]
    assert len(cell_lines) == 2 and "2 / 2" in cell_lines[0] and "0 / 2" in cell_lines[1]
    assert "grading" in run.stderr and "submission" in run.stderr  # the progress bar
    assert "{" not in out


def test_missing_or_invalid_files_are_named_and_nothing_is_graded(submissions, tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text('{"cells": [')
    missing = tmp_path / "nowhere.ipynb"
    run = autograde(SOURCE, submissions["right"], missing, broken, "--json", cwd=tmp_path)
    assert run.returncode != 0
    assert f"{missing}: no such file" in run.stderr
    assert f"{broken}: not a valid Jupyter notebook" in run.stderr
    assert run.stdout == ""
    run = autograde(tmp_path / "no-source.ipynb", submissions["right"], cwd=tmp_path)
    assert run.returncode != 0 and "no-source.ipynb: no such file" in run.stderr
    run = autograde(SOURCE, cwd=tmp_path)
    assert run.returncode != 0 and "at least one submission" in run.stderr


def test_a_source_nbgrader_refuses_is_named_here_and_a_422_in_the_service(tmp_path):
    nb = nbformat.read(SOURCE, as_version=4)
    nb.cells[2].metadata.nbgrader["grade_id"] = "double"  # two cells with one grade id
    folder = tmp_path / "dup"
    folder.mkdir()
    nbformat.write(nb, folder / "dup.ipynb")
    run = autograde(folder / "dup.ipynb", SOURCE, cwd=tmp_path)
    assert run.returncode != 0
    assert f"{folder / 'dup.ipynb'}: no grading key could be made from it" in run.stderr
    assert "failed to validate" in run.stderr
    # the service makes keys with the same code: there the refusal is a 422 for the publisher
    with pytest.raises(CampusError) as refused:
        releases.generate_release(folder, "open-mooc")
    assert refused.value.status == 422 and "failed to validate" in str(refused.value)


def test_grader_help_lists_the_worker_options():
    """`nbcampus grader --help` shows the grading worker's settings it takes as options."""
    result = subprocess.run(
        [sys.executable, "-m", "nbcampus", "grader", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "--workers=<Int>" in result.stdout and "GradingWorker.workers" in result.stdout
