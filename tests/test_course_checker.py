"""``nbcampus course check`` on broken courses: each error names the file and the line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from nbcampus.course import check_course, load_course
from nbcampus.course.loader import CourseFileError
from nbcampus.testing import write_course


@pytest.fixture
def course(tmp_path) -> Path:
    return write_course(tmp_path / "courses", "demo-course", tas=["helper"])


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line containing ``needle``."""
    hits = [i for i, line in enumerate(path.read_text().splitlines(), start=1) if needle in line]
    assert len(hits) >= occurrence, f"{needle!r} not in {path}"
    return hits[occurrence - 1]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def only_problem(folder: Path):
    problems = check_course(folder)
    assert len(problems) == 1, "\n".join(map(str, problems))
    problem = problems[0]
    assert problem.hint, "every problem says how to fix it"
    return problem


def test_valid_course_passes_and_loads(course):
    assert check_course(course) == []
    loaded = load_course(course)
    assert loaded.id == "demo-course" and loaded.lesson_files() == [Path("lessons/lesson1.ipynb")]
    assert loaded.staff == {"teacher", "helper"}


def test_yaml_syntax_error(course):
    yml = course / "course.yml"
    edit(yml, "title: Course demo-course", "title: [unclosed")
    problem = only_problem(course)
    assert problem.file == yml and "YAML syntax" in problem.message
    assert problem.line in (line_of(yml, "title: [unclosed"), line_of(yml, "title: [unclosed") + 1)


def test_unknown_key(course):
    yml = course / "course.yml"
    edit(yml, "title: Course demo-course", "titel: Course demo-course")
    problems = check_course(course)
    unknown = [p for p in problems if "unknown key 'titel'" in p.message]
    assert unknown and unknown[0].line == line_of(yml, "titel:") and unknown[0].file == yml
    assert "title" in unknown[0].hint
    missing = [p for p in problems if "'title' is a required property" in p.message]
    assert missing


def test_bad_format_enum(course):
    yml = course / "course.yml"
    edit(yml, "format: mooc", "format: webinar")
    problem = only_problem(course)
    assert problem.line == line_of(yml, "format: webinar")
    assert "'webinar' is not one of mooc, cooc, spoc, sooc" in problem.message


def test_id_differs_from_folder(course):
    yml = course / "course.yml"
    edit(yml, "id: demo-course", "id: another-course")
    problem = only_problem(course)
    assert (
        problem.line == line_of(yml, "id: another-course")
        and "folder name 'demo-course'" in problem.message
    )


def test_mooc_with_a_seat_cap(course):
    yml = course / "course.yml"
    edit(yml, "  rule: open", "  rule: open\n  seat_cap: 30")
    problem = only_problem(course)
    assert problem.line == line_of(yml, "seat_cap: 30") and "takes no seat cap" in problem.message


def test_spoc_without_seat_cap_or_code(tmp_path):
    folder = write_course(tmp_path, "spoc-course", fmt="spoc", enrolment={"rule": "invite"})
    yml = folder / "course.yml"
    messages = {p.message: p.line for p in check_course(folder)}
    assert messages == {
        "a spoc course needs a seat cap": line_of(yml, "enrolment:"),
        "an invite enrolment rule needs invite_codes or a roster": line_of(yml, "enrolment:"),
    }


def test_cooc_without_members_or_branding(tmp_path):
    folder = write_course(
        tmp_path,
        "co-course",
        fmt="cooc",
        enrolment={"rule": "organisation", "organisation": {"name": "Acme"}},
    )
    yml = folder / "course.yml"
    problems = {p.message: p.line for p in check_course(folder)}
    assert problems[
        "an organisation enrolment rule needs email_domains, hub_groups or partners"
    ] == line_of(yml, "organisation:", 1)
    assert "a cooc course carries its company's branding" in problems


def test_roster_without_username_column(tmp_path):
    folder = write_course(
        tmp_path,
        "roster-course",
        fmt="spoc",
        enrolment={"rule": "invite", "seat_cap": 5},
        roster=["ana"],
    )
    (folder / "roster.csv").write_text("name,email\nAna,ana@example.org\n")
    problem = only_problem(folder)
    assert (
        problem.file == folder / "roster.csv"
        and problem.line == 1
        and "'username' column" in problem.message
    )


def test_missing_lesson_file_and_dotdot_path(course):
    yml = course / "course.yml"
    edit(yml, "lessons/lesson1.ipynb", "lessons/missing.ipynb")
    problem = only_problem(course)
    assert (
        problem.line == line_of(yml, "lessons/missing.ipynb")
        and "'lessons/missing.ipynb' does not exist" in problem.message
    )
    edit(yml, "lessons/missing.ipynb", "../../etc/passwd")
    problem = only_problem(course)
    assert problem.line == line_of(yml, "../../etc/passwd") and "does not match" in problem.message


def test_duplicate_yaml_key(course):
    yml = course / "course.yml"
    edit(yml, "hours_per_week: 2", "hours_per_week: 2\nhours_per_week: 3")
    problem = only_problem(course)
    assert (
        problem.line == line_of(yml, "hours_per_week: 3")
        and "'hours_per_week' is written twice" in problem.message
    )


def test_duplicate_module_and_unknown_required_module(course):
    yml = course / "course.yml"
    data = yml.read_text()
    module_start = data.index("- id: week1")
    module = data[module_start : data.index("grading:")]
    module2 = module.replace("id: ex1", "id: ex2").replace("quizzes/quiz1", "quizzes/quiz1")
    (course / "source" / "ex2").mkdir()
    (course / "source" / "ex2" / "ex2.ipynb").write_bytes(
        (course / "source" / "ex1" / "ex1.ipynb").read_bytes()
    )
    yml.write_text(data[: data.index("grading:")] + module2 + data[data.index("grading:") :])
    problem = only_problem(course)
    assert (
        problem.line == line_of(yml, "- id: week1", 2)
        and "module id 'week1' is used twice" in problem.message
    )
    edit(yml, "verified_only: true", "verified_only: true\n  required_modules: [week9]")
    assert any(
        "required module 'week9' does not exist" in p.message
        and p.line == line_of(yml, "required_modules")
        for p in check_course(course)
    )


def test_weights_must_add_up(course):
    yml = course / "course.yml"
    edit(yml, "quizzes: 0.3", "quizzes: 0.5")
    problem = only_problem(course)
    assert (
        problem.line == line_of(yml, "weights:")
        and "add up to 1" in problem.message
        and "1.2" in problem.hint
    )


def test_cohort_run_ending_before_it_starts(tmp_path):
    runs = [{"id": "spring", "start": "2027-04-01", "end": "2027-03-01"}]
    folder = write_course(tmp_path, "dated", pacing={"mode": "cohort", "runs": runs})
    problem = only_problem(folder)
    assert (
        problem.line == line_of(folder / "course.yml", "end: '2027-03-01'")
        and "ends on or before" in problem.message
    )


def test_late_policy_steps_out_of_order(course):
    yml = course / "course.yml"
    edit(
        yml,
        "      - after_days: 0\n",
        "      - after_days: 2\n        percent: 80\n      - after_days: 1\n",
    )
    problems = check_course(course)
    assert any(
        "late credit steps" in p.message and p.line == line_of(yml, "- after_days: 1")
        for p in problems
    ), problems


def test_points_must_match_the_notebook(course):
    yml = course / "course.yml"
    edit(yml, "points: 2", "points: 5")
    problem = only_problem(course)
    assert problem.line == line_of(yml, "points: 5")
    assert "declares 5 points but its notebooks' tests add up to 2" in problem.message


def _exercise(course: Path) -> Path:
    return course / "source" / "ex1" / "ex1.ipynb"


def test_graded_cell_without_grade_id_and_duplicate_grade_id(course):
    path = _exercise(course)
    nb = nbformat.read(path, as_version=4)
    nb.cells[2].metadata.nbgrader["grade_id"] = "double"  # same as the solution cell
    nbformat.write(nb, path)
    problem = only_problem(course)
    assert problem.file == path and "grade_id 'double' is also used by cell 2" in problem.message
    assert problem.line == line_of(path, '"cell_type"', 3)
    del nb.cells[2].metadata.nbgrader["grade_id"]
    nbformat.write(nb, path)
    assert "without a grade_id" in only_problem(course).message


def test_solution_cell_without_solution(course):
    path = _exercise(course)
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].source = "def double(x):\n    raise NotImplementedError()"
    nbformat.write(nb, path)
    problem = only_problem(course)
    assert (
        problem.line == line_of(path, '"cell_type"', 2) and "holds no solution" in problem.message
    )


def test_invalid_json_and_old_nbformat(course):
    path = _exercise(course)
    text = path.read_text()
    path.write_text(text.replace('"cells": [', '"cells": [,', 1))
    problem = only_problem(course)
    assert (
        problem.file == path
        and "not valid JSON" in problem.message
        and problem.line == line_of(path, '"cells": [,')
    )
    path.write_text(
        json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "metadata": {}})
    )
    assert "nbformat 3 is not supported" in only_problem(course).message


def test_lesson_that_leaks_a_solution(course):
    path = course / "lessons" / "lesson1.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION"))
    nbformat.write(nb, path)
    problem = only_problem(course)
    assert (
        problem.file == path
        and problem.line == line_of(path, '"cell_type"', 2)
        and "leak" in problem.message
    )


@pytest.mark.parametrize(
    "question, message",
    [
        (
            {"id": "q1", "type": "single", "options": ["a", "b"], "answer": 2},
            "index of one option (0..1)",
        ),
        ({"id": "q1", "type": "text", "patterns": ["(unclosed"]}, "is not a regular expression"),
        ({"id": "q1", "type": "numeric", "answer": "four"}, "answer must be a number"),
        ({"id": "q1", "type": "essay"}, "type 'essay' is not one of"),
    ],
    ids=["answer-out-of-range", "bad-regex", "numeric-not-number", "unknown-type"],
)
def test_bad_quiz_questions(course, question, message):
    path = course / "quizzes" / "quiz1.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].metadata.nbcampus.question = question
    nbformat.write(nb, path)
    problem = only_problem(course)
    assert (
        problem.file == path
        and problem.line == line_of(path, '"cell_type"')
        and message in problem.message
    )


def test_quiz_with_duplicate_ids_or_no_question(course):
    path = course / "quizzes" / "quiz1.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("Again?", metadata=dict(nb.cells[0].metadata)))
    nbformat.write(nb, path)
    assert "question id 'q1' is used twice" in only_problem(course).message
    nb.cells = [nbformat.v4.new_markdown_cell("no questions here")]
    nbformat.write(nb, path)
    assert "the quiz has no question" in only_problem(course).message


def test_load_course_refuses_with_all_problems(course):
    edit(course / "course.yml", "format: mooc", "format: webinar")
    with pytest.raises(CourseFileError) as e:
        load_course(course)
    assert "course.yml:" in str(e.value) and "webinar" in str(e.value)


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "nbcampus", "course", "check", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_exit_status_and_format(course, tmp_path):
    ok = run_cli(course)
    assert ok.returncode == 0 and ok.stdout.strip() == f"{course}: ok"
    broken = write_course(tmp_path / "more", "broken-course")
    edit(broken / "course.yml", "format: mooc", "format: webinar")
    both = run_cli(course, broken)
    assert both.returncode == 1
    line = line_of(broken / "course.yml", "format: webinar")
    assert f"{broken / 'course.yml'}:{line}: error: format: 'webinar' is not one of" in both.stderr
    assert "fix: use one of the listed values" in both.stderr
    assert f"{course}: ok" in both.stdout
    assert run_cli().returncode == 2
