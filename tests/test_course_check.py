"""``nbcampus course check``: a minimal valid course, and copies of it broken one thing at a time.

Every broken copy must give exactly one problem, naming the file and the line where the mistake
is (found by searching the text the test wrote), saying what is wrong and how to fix it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from nbcampus.course import CourseFileError, Problem, check_course, load_course

FIXTURE = Path(__file__).parent / "files" / "courses" / "minimal"
NBCAMPUS = Path(sys.executable).parent / "nbcampus"

LESSON = Path("lessons/intro.ipynb")
EXERCISE = Path("source/ex1/ex1.ipynb")
QUIZ = Path("quizzes/quiz1.ipynb")


# --- helpers -------------------------------------------------------------------------------------


def copy_course(parent: Path) -> Path:
    """A fresh copy of the minimal course in ``parent/minimal`` (the folder name is its id)."""
    folder = parent / "minimal"
    shutil.copytree(FIXTURE, folder)
    return folder


@pytest.fixture
def course(tmp_path) -> Path:
    return copy_course(tmp_path)


def line_of(path: Path, needle: str, nth: int = 1, count: int = 1) -> int:
    """1-based line of the ``nth`` of the ``count`` lines of ``path`` that contain ``needle``."""
    text = path.read_text(encoding="utf-8")
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) == count, f"{needle!r} is on lines {hits} of {path}, expected {count}"
    return hits[nth - 1]


def cell_line(path: Path, needle: str) -> int:
    """Line of the ``"cell_type"`` key of the notebook cell whose JSON holds ``needle``."""
    target = line_of(path, needle)
    text = path.read_text(encoding="utf-8")
    starts = [
        n
        for n, line in enumerate(text.splitlines(), start=1)
        if line.lstrip().startswith('"cell_type"') and n < target
    ]
    assert starts, f"{needle!r} is not inside a cell of {path}"
    return starts[-1]


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in ``path`` by ``new``."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def edit_notebook(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Apply ``change`` to the notebook's JSON and write it back as Jupyter does."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    change(nb)
    path.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


def nbgrader(nb: dict[str, Any], cell: int) -> dict[str, Any]:
    return nb["cells"][cell]["metadata"]["nbgrader"]


def question(nb: dict[str, Any], cell: int) -> dict[str, Any]:
    return nb["cells"][cell]["metadata"]["nbcampus"]["question"]


def only_problem(folder: Path) -> Problem:
    problems = check_course(folder)
    assert len(problems) == 1, "\n".join(map(str, problems)) or "no problem found"
    return problems[0]


class Want(NamedTuple):
    """The one problem a broken course must give."""

    file: Path
    line: int
    #: the exact message, or fragments it must all contain (for jsonschema's own wording)
    message: str | tuple[str, ...]
    #: a fragment the hint must contain (the hint is never empty)
    hint: str = ""


def spoc(course: Path, enrolment: str) -> Path:
    """Make the course a spoc whose enrolment block is ``enrolment``; return course.yml."""
    yml = course / "course.yml"
    edit(yml, "format: mooc", "format: spoc")
    edit(yml, "  rule: open\n  seat_cap: null\n", enrolment)
    return yml


def cooc(course: Path, organisation: str, branding: bool) -> Path:
    """Make the course a cooc with ``organisation`` under enrolment; return course.yml."""
    yml = course / "course.yml"
    edit(yml, "format: mooc", "format: cooc")
    edit(yml, "  rule: open\n", "  rule: organisation\n" + organisation)
    if branding:
        with yml.open("a", encoding="utf-8") as f:
            f.write("\nbranding:\n  organisation: Acme Corp\n  colors: {primary: '#0b5fff'}\n")
    return yml


# --- the valid course ----------------------------------------------------------------------------


def test_minimal_course_is_valid(course):
    assert check_course(FIXTURE) == []
    assert check_course(course) == []


def test_load_course(course):
    loaded = load_course(course)
    assert loaded.id == "minimal"
    assert loaded.title == "Minimal course"
    assert loaded.format == "mooc"
    assert loaded.path == course.resolve()
    assert loaded.lesson_files() == [LESSON]
    assert loaded.assignment_ids() == ["ex1"]
    assert loaded.staff == {"teacher", "helper"}


def test_load_course_refuses_a_broken_course(course):
    edit(course / "course.yml", "format: mooc", "format: webinar")
    with pytest.raises(CourseFileError) as raised:
        load_course(course)
    assert raised.value.problems == check_course(course)
    assert len(raised.value.problems) == 1


def test_check_from_inside_the_course_folder(course, monkeypatch):
    """``nbcampus course check .``: the folder's name is its real name, not "."."""
    monkeypatch.chdir(course)
    assert check_course(".") == []
    assert check_course(Path("../minimal/")) == []


def test_dates_stay_text(course):
    """Unquoted ISO dates, as docs/course-format.md writes them, are valid and stay strings."""
    yml = course / "course.yml"
    edit(
        yml,
        "  mode: self-paced\n",
        "  mode: cohort\n  runs:\n    - id: spring\n      start: 2027-03-01\n"
        "      end: 2027-04-15\n",
    )
    assert check_course(course) == []
    run = load_course(course).data["pacing"]["runs"][0]
    assert run == {"id": "spring", "start": "2027-03-01", "end": "2027-04-15"}


def test_run_dates_relative_to_today(course):
    """``today``, ``today+N`` and ``today-N`` are the day the course is read, in UTC (the demo
    SPOC's runs stay current); anything else that is not a date is refused with its key."""
    from datetime import UTC, datetime, timedelta

    yml = course / "course.yml"
    edit(
        yml,
        "  mode: self-paced\n",
        "  mode: cohort\n  runs:\n    - id: now\n      start: today-30\n      end: today+100\n"
        "    - id: later\n      start: today\n      end: 2999-01-01\n",
    )
    assert check_course(course) == []
    today = datetime.now(UTC).date()
    now, later = load_course(course).data["pacing"]["runs"]
    assert now["start"] == (today - timedelta(days=30)).isoformat()
    assert now["end"] == (today + timedelta(days=100)).isoformat()
    assert later["start"] == today.isoformat()
    edit(yml, "start: today-30", "start: yesterday")
    [problem] = check_course(course)
    assert "pacing.runs[0].start" in problem.message


def test_missing_folder_or_course_file(tmp_path):
    assert check_course(tmp_path / "nowhere") == [
        Problem(
            tmp_path / "nowhere",
            0,
            "no such course folder",
            "give the path of a folder holding course.yml",
        )
    ]
    (tmp_path / "empty").mkdir()
    [problem] = check_course(tmp_path / "empty")
    assert (problem.file, problem.line) == (tmp_path / "empty" / "course.yml", 0)
    assert problem.message == "the course file is missing" and problem.hint


def test_unknown_key_also_misses_the_key_it_stands_for(course):
    yml = course / "course.yml"
    edit(yml, "title: Minimal course", "titel: Minimal course")
    problems = check_course(course)
    assert [(p.file, p.line, p.message) for p in problems] == [
        # a missing key is reported at the start of its mapping: here the course file's first key
        (yml, line_of(yml, "id: minimal"), "the course file: 'title' is a required property"),
        (yml, line_of(yml, "titel: Minimal course"), "the course file: unknown key 'titel'"),
    ]
    assert all(p.hint for p in problems)
    assert "title" in problems[1].hint.split("allowed keys: ")[1].split(", ")


# --- course.yml broken one thing at a time -------------------------------------------------------


def yaml_mapping_value_in_a_plain_value(course: Path) -> Want:
    yml = course / "course.yml"
    edit(yml, "title: Minimal course", "title: Minimal: course")
    return Want(
        yml,
        line_of(yml, "title: Minimal: course"),
        "YAML syntax: mapping values are not allowed here",
    )


def yaml_unclosed_quote(course: Path) -> Want:
    # the parser only notices at the end of the file: the error points where the quote opens
    yml = course / "course.yml"
    edit(yml, "title: Minimal course", "title: 'Minimal course")
    return Want(yml, line_of(yml, "title: 'Minimal"), "YAML syntax: found unexpected end of stream")


def yaml_list_as_a_key(course: Path) -> Want:
    yml = course / "course.yml"
    edit(yml, "language: en\n", "language: en\n? [en, fr]\n: both\n")
    return Want(yml, line_of(yml, "? [en, fr]"), "YAML syntax: found unhashable key")


def duplicate_yaml_key(course: Path) -> Want:
    yml = course / "course.yml"
    edit(yml, "hours_per_week: 2\n", "hours_per_week: 2\nhours_per_week: 3\n")
    return Want(
        yml, line_of(yml, "hours_per_week: 3"), "key 'hours_per_week' is written twice", "keep"
    )


def duplicate_nested_yaml_key(course: Path) -> Want:
    yml = course / "course.yml"
    edit(yml, "  waitlist: false\n", "  waitlist: false\n  waitlist: true\n")
    return Want(yml, line_of(yml, "waitlist: true"), "key 'enrolment.waitlist' is written twice")


def unknown_nested_key(course: Path) -> Want:
    yml = course / "course.yml"
    edit(yml, "    objectives:", "    objectivs:")
    return Want(
        yml,
        line_of(yml, "objectivs:"),
        "modules[0]: unknown key 'objectivs'",
        "objectives",
    )


def missing_required_key(course: Path) -> Want:
    yml = course / "course.yml"
    edit(yml, "        points: 2\n        due_offset_days: 7\n", "        points: 2\n")
    return Want(
        yml,
        line_of(yml, "- id: ex1"),
        "modules[0].assignments[0]: 'due_offset_days' is a required property",
        "add the missing key",
    )


def bad_format(course: Path) -> Want:
    yml = course / "course.yml"
    edit(yml, "format: mooc", "format: webinar")
    return Want(
        yml,
        line_of(yml, "format: webinar"),
        "format: 'webinar' is not one of mooc, cooc, spoc, sooc",
        "one of the listed values",
    )


def bad_id(course: Path) -> Want:
    yml = course / "course.yml"
    edit(yml, "id: minimal", "id: Minimal_Course")
    return Want(yml, line_of(yml, "id: Minimal_Course"), "id: 'Minimal_Course' is not a valid id")


def id_differs_from_folder(course: Path) -> Want:
    yml = course / "course.yml"
    edit(yml, "id: minimal", "id: maximal")
    return Want(
        yml,
        line_of(yml, "id: maximal"),
        "id 'maximal' differs from the folder name 'minimal'",
        "set id: minimal",
    )


def mooc_with_seat_cap(course: Path) -> Want:
    yml = course / "course.yml"
    edit(yml, "seat_cap: null", "seat_cap: 500")
    return Want(
        yml,
        line_of(yml, "seat_cap: 500"),
        "a mooc is open to all and takes no seat cap",
        "remove seat_cap",
    )


def spoc_without_seat_cap(course: Path) -> Want:
    yml = spoc(course, "  rule: invite\n  invite_codes: [SPRING-2027]\n")
    return Want(yml, line_of(yml, "enrolment:"), "a spoc course needs a seat cap", "seat_cap")


def sooc_without_seat_cap(course: Path) -> Want:
    yml = course / "course.yml"
    edit(yml, "format: mooc", "format: sooc")
    return Want(yml, line_of(yml, "enrolment:"), "a sooc course needs a seat cap", "seat_cap")


def spoc_with_open_enrolment(course: Path) -> Want:
    yml = spoc(course, "  rule: open\n  seat_cap: 20\n")
    return Want(
        yml,
        line_of(yml, "rule: open"),
        "a spoc course needs enrolment rule 'invite', not 'open'",
        "enrolment.rule: invite",
    )


def invite_without_codes_or_roster(course: Path) -> Want:
    yml = spoc(course, "  rule: invite\n  seat_cap: 20\n")
    return Want(
        yml,
        line_of(yml, "enrolment:"),
        "an invite enrolment rule needs invite_codes or a roster",
        "invite_codes",
    )


def roster_without_username_column(course: Path) -> Want:
    spoc(course, "  rule: invite\n  seat_cap: 20\n  roster: roster.csv\n")
    roster = course / "roster.csv"
    roster.write_text("name,email\nAda,ada@example.org\n", encoding="utf-8")
    return Want(
        roster, line_of(roster, "name,email"), "the roster has no 'username' column", "username"
    )


def roster_not_utf8(course: Path) -> Want:
    spoc(course, "  rule: invite\n  seat_cap: 20\n  roster: roster.csv\n")
    (course / "roster.csv").write_bytes("username\nrené\n".encode("latin-1"))
    return Want(course / "roster.csv", 0, "the roster is not UTF-8 text", "UTF-8")


def roster_file_missing(course: Path) -> Want:
    yml = spoc(course, "  rule: invite\n  seat_cap: 20\n  roster: roster.csv\n")
    return Want(
        yml,
        line_of(yml, "roster: roster.csv"),
        "enrolment.roster: file 'roster.csv' does not exist in the course folder",
        "roster.csv",
    )


def cooc_without_members(course: Path) -> Want:
    yml = cooc(course, "  organisation: {name: Acme}\n", branding=True)
    return Want(
        yml,
        line_of(yml, "organisation: {name: Acme}"),
        "an organisation enrolment rule needs email_domains, hub_groups or partners",
        "enrolment.organisation",
    )


def cooc_without_organisation(course: Path) -> Want:
    yml = cooc(course, "", branding=True)
    return Want(
        yml,
        line_of(yml, "enrolment:"),
        "an organisation enrolment rule needs email_domains, hub_groups or partners",
        "enrolment.organisation",
    )


def cooc_without_branding(course: Path) -> Want:
    yml = cooc(
        course, "  organisation: {name: Acme, email_domains: [acme.example]}\n", branding=False
    )
    # a course-wide problem points at the start of the course file's mapping: its first key
    return Want(
        yml,
        line_of(yml, "id: minimal"),
        "a cooc course carries its company's branding",
        "branding:",
    )


def branding_logo_missing(course: Path) -> Want:
    yml = course / "course.yml"
    with yml.open("a", encoding="utf-8") as f:
        f.write("\nbranding:\n  organisation: Acme Corp\n  logo: branding/logo.svg\n")
    return Want(
        yml,
        line_of(yml, "logo: branding/logo.svg"),
        "branding.logo: file 'branding/logo.svg' does not exist in the course folder",
    )


def lesson_file_missing(course: Path) -> Want:
    yml = course / "course.yml"
    edit(yml, "file: lessons/intro.ipynb", "file: lessons/outro.ipynb")
    return Want(
        yml,
        line_of(yml, "lessons/outro.ipynb"),
        "modules[0].lessons[0].file: file 'lessons/outro.ipynb' does not exist "
        "in the course folder",
        "lessons/outro.ipynb",
    )


def lesson_path_with_dotdot(course: Path) -> Want:
    # the file exists (the path comes back into the course): a path leaving it is refused anyway
    yml = course / "course.yml"
    edit(yml, "file: lessons/intro.ipynb", "file: ../minimal/lessons/intro.ipynb")
    return Want(
        yml,
        line_of(yml, "file: ../minimal/lessons/intro.ipynb"),
        ("modules[0].lessons[0].file: '../minimal/lessons/intro.ipynb' does not match",),
    )


def lesson_path_absolute(course: Path) -> Want:
    yml = course / "course.yml"
    path = course / LESSON
    edit(yml, "file: lessons/intro.ipynb", f"file: {path}")
    return Want(
        yml,
        line_of(yml, f"file: {path}"),
        (f"modules[0].lessons[0].file: '{path}' does not match",),
    )


def quiz_file_missing(course: Path) -> Want:
    yml = course / "course.yml"
    edit(yml, "file: quizzes/quiz1.ipynb", "file: quizzes/quiz2.ipynb")
    return Want(
        yml,
        line_of(yml, "quizzes/quiz2.ipynb"),
        "modules[0].quiz.file: file 'quizzes/quiz2.ipynb' does not exist in the course folder",
    )


def duplicate_module_id(course: Path) -> Want:
    yml = course / "course.yml"
    edit(yml, "\ngrading:", "  - id: week1\n    title: Second steps\n    week: 2\n\ngrading:")
    return Want(
        yml,
        line_of(yml, "  - id: week1", nth=2, count=2),
        "module id 'week1' is used twice",
        "its own id",
    )


def duplicate_assignment_id(course: Path) -> Want:
    yml = course / "course.yml"
    edit(
        yml,
        "    quiz:\n",
        "      - id: ex1\n        title: Again\n        points: 2\n        due_offset_days: 9\n"
        "    quiz:\n",
    )
    return Want(
        yml,
        line_of(yml, "- id: ex1", nth=2, count=2),
        "assignment id 'ex1' is used twice",
        "its own id",
    )


def module_after_the_last_week(course: Path) -> Want:
    yml = course / "course.yml"
    edit(yml, "    week: 1\n", "    week: 3\n")
    return Want(
        yml,
        line_of(yml, "week: 3"),
        "module 'week1' is in week 3 but the course lasts 2 weeks",
        "duration_weeks",
    )


def weights_do_not_add_up(course: Path) -> Want:
    yml = course / "course.yml"
    edit(yml, "quizzes: 0.3", "quizzes: 0.5")
    return Want(yml, line_of(yml, "weights:"), "grading weights must add up to 1", "add up to 1.2")


def quiz_weight_without_quiz(course: Path) -> Want:
    yml = course / "course.yml"
    text = yml.read_text(encoding="utf-8")
    quiz = text[text.index("    quiz:\n") : text.index("\ngrading:")]
    edit(yml, quiz, "")
    return Want(
        yml,
        line_of(yml, "weights: {assignments: 0.7, quizzes: 0.3}"),
        "quizzes carry weight but no module has a quiz",
        "quizzes weight to 0",
    )


def required_module_unknown(course: Path) -> Want:
    yml = course / "course.yml"
    edit(yml, "required_modules: [week1]", "required_modules: [week1, week9]")
    return Want(
        yml,
        line_of(yml, "required_modules: [week1, week9]"),
        "required module 'week9' does not exist",
        "module of this course",
    )


def verified_certificate_without_verified_track(course: Path) -> Want:
    yml = course / "course.yml"
    edit(yml, "  verified: true", "  verified: false")
    return Want(
        yml,
        line_of(yml, "verified_only: true"),
        "the certificate needs the verified track, which is off",
        "tracks.verified: true",
    )


def cohort_run_ends_before_start(course: Path) -> Want:
    yml = course / "course.yml"
    edit(
        yml,
        "  mode: self-paced\n",
        "  mode: cohort\n  runs:\n    - id: spring\n      start: 2027-04-01\n"
        "      end: 2027-03-01\n",
    )
    return Want(
        yml,
        line_of(yml, "end: 2027-03-01"),
        "run 'spring' ends on or before it starts",
        "end later than start",
    )


def cohort_without_runs(course: Path) -> Want:
    yml = course / "course.yml"
    edit(yml, "  mode: self-paced", "  mode: cohort")
    return Want(
        yml,
        line_of(yml, "pacing:"),
        "cohort pacing needs at least one run with start and end dates",
        "pacing.runs",
    )


def cohort_run_id_twice(course: Path) -> Want:
    yml = course / "course.yml"
    run = "    - id: spring\n      start: 2027-03-01\n      end: 2027-04-15\n"
    edit(yml, "  mode: self-paced\n", "  mode: cohort\n  runs:\n" + run + run)
    return Want(
        yml,
        line_of(yml, "- id: spring", nth=2, count=2),
        "run id 'spring' is used twice",
        "its own id",
    )


def modules_out_of_week_order(course: Path) -> Want:
    yml = course / "course.yml"
    edit(yml, "    week: 1\n", "    week: 2\n")
    edit(yml, "\ngrading:", "  - id: week0\n    title: Warm-up\n    week: 1\n\ngrading:")
    return Want(
        yml,
        line_of(yml, "    week: 1"),
        "module 'week0' (week 1) comes after week 2",
        "week order",
    )


def cohort_run_with_impossible_date(course: Path) -> Want:
    yml = course / "course.yml"
    edit(
        yml,
        "  mode: self-paced\n",
        "  mode: cohort\n  runs:\n    - id: spring\n      start: 2027-02-30\n"
        "      end: 2027-04-15\n",
    )
    return Want(
        yml,
        line_of(yml, "start: 2027-02-30"),
        "pacing.runs[0].start: '2027-02-30' is not a 'date'",
    )


def late_credit_steps_out_of_order(course: Path) -> Want:
    yml = course / "course.yml"
    edit(yml, "{after_days: 0, percent: 80}", "{after_days: 3, percent: 80}")
    return Want(
        yml,
        line_of(yml, "{after_days: 2, percent: 50}"),
        "late credit steps must come later and give no more credit than the one before",
        "order the steps",
    )


def late_credit_rising(course: Path) -> Want:
    yml = course / "course.yml"
    edit(yml, "{after_days: 2, percent: 50}", "{after_days: 2, percent: 90}")
    return Want(
        yml,
        line_of(yml, "{after_days: 2, percent: 90}"),
        "late credit steps must come later and give no more credit than the one before",
    )


def hard_close_before_last_credit_step(course: Path) -> Want:
    yml = course / "course.yml"
    edit(yml, "hard_close_days: 9", "hard_close_days: 1")
    return Want(
        yml,
        line_of(yml, "hard_close_days: 1"),
        "the hard close comes before the last late-credit step",
        "hard_close_days",
    )


def points_differ_from_the_notebook(course: Path) -> Want:
    yml = course / "course.yml"
    edit(yml, "        points: 2\n", "        points: 3\n")
    return Want(
        yml,
        line_of(yml, "points: 3"),
        "assignment 'ex1' declares 3 points but its notebooks' tests add up to 2",
        "set points: 2",
    )


def source_folder_missing(course: Path) -> Want:
    shutil.rmtree(course / "source" / "ex1")
    return Want(
        course / "source" / "ex1", 0, "the assignment's source folder does not exist", "source/"
    )


# --- notebooks broken one thing at a time --------------------------------------------------------


def graded_cell_without_grade_id(course: Path) -> Want:
    path = course / EXERCISE
    edit_notebook(path, lambda nb: nbgrader(nb, 2).pop("grade_id"))
    return Want(
        path,
        cell_line(path, '"id": "ex1-3"'),
        "cell 3: nbgrader cell without a grade_id",
        "unique ID",
    )


def duplicated_grade_id(course: Path) -> Want:
    path = course / EXERCISE
    edit_notebook(path, lambda nb: nbgrader(nb, 2).update(grade_id="double"))
    return Want(
        path,
        cell_line(path, '"id": "ex1-3"'),
        "cell 3: grade_id 'double' is also used by cell 2",
        "its own grade_id",
    )


def solution_cell_without_markers(course: Path) -> Want:
    path = course / EXERCISE

    def change(nb: dict[str, Any]) -> None:
        nb["cells"][1]["source"] = ["def double(x):\n", "    return 2 * x"]

    edit_notebook(path, change)
    return Want(
        path,
        cell_line(path, '"id": "ex1-2"'),
        "cell 2: solution cell 'double' holds no solution between "
        "'### BEGIN SOLUTION' and '### END SOLUTION'",
        "between the markers",
    )


def hidden_tests_not_closed(course: Path) -> Want:
    path = course / EXERCISE
    edit(path, '    "### END HIDDEN TESTS"\n', '    "### END TESTS"\n')
    return Want(
        path, cell_line(path, '"id": "ex1-3"'), "cell 3: hidden test markers do not pair up"
    )


def graded_cell_without_points(course: Path) -> Want:
    path = course / EXERCISE
    edit_notebook(path, lambda nb: nbgrader(nb, 2).pop("points"))
    return Want(
        path,
        cell_line(path, '"id": "ex1-3"'),
        "cell 3: graded cell 'test_double' has no positive points",
        "points",
    )


def nbgrader_metadata_not_an_object(course: Path) -> Want:
    path = course / EXERCISE
    edit_notebook(path, lambda nb: nb["cells"][0]["metadata"].update(nbgrader="grade"))
    return Want(
        path, cell_line(path, '"id": "ex1-1"'), "cell 1: metadata.nbgrader must be an object"
    )


def exercise_not_json(course: Path) -> Want:
    path = course / EXERCISE
    edit(path, '"grade": true,', '"grade": true,,')
    return Want(path, line_of(path, '"grade": true,,'), ("not valid JSON: ",), "JSON")


def exercise_in_nbformat_3(course: Path) -> Want:
    path = course / EXERCISE
    v3 = {
        "metadata": {"name": "ex1"},
        "nbformat": 3,
        "nbformat_minor": 0,
        "worksheets": [{"cells": [], "metadata": {}}],
    }
    path.write_text(json.dumps(v3, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    # the whole file is in the old format: the problem is at the top of the notebook
    return Want(path, line_of(path, "{", nth=1, count=4), "nbformat 3 is not supported", "4")


def lesson_leaks_a_solution(course: Path) -> Want:
    path = course / LESSON

    def change(nb: dict[str, Any]) -> None:
        source = ["### BEGIN SOLUTION\n", "answer = 42\n", "### END SOLUTION"]
        nb["cells"].append(
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "lesson-leak",
                "metadata": {},
                "outputs": [],
                "source": source,
            }
        )

    edit_notebook(path, change)
    return Want(
        path,
        cell_line(path, '"id": "lesson-leak"'),
        "cell 3: a lesson holds nbgrader solution or test markup and would leak it to learners",
        "source/",
    )


def lesson_not_json(course: Path) -> Want:
    path = course / LESSON
    edit(path, '"cells": [', '"cells": [,')
    return Want(path, line_of(path, '"cells": [,'), ("not valid JSON: ",))


def quiz_answer_out_of_range(course: Path) -> Want:
    path = course / QUIZ
    edit_notebook(path, lambda nb: question(nb, 0).update(answer=3))
    return Want(
        path,
        cell_line(path, '"id": "quiz-1"'),
        "cell 1: question 'q1': answer must be the index of one option (0..2)",
        "quiz table",
    )


def quiz_invalid_regex(course: Path) -> Want:
    path = course / QUIZ
    edit_notebook(path, lambda nb: question(nb, 1).update(patterns=["(def"]))
    return Want(
        path,
        cell_line(path, '"id": "quiz-2"'),
        ("cell 2: question 'q2': pattern '(def' is not a regular expression: ",),
    )


def quiz_duplicate_question_ids(course: Path) -> Want:
    path = course / QUIZ
    edit_notebook(path, lambda nb: question(nb, 1).update(id="q1"))
    return Want(
        path,
        cell_line(path, '"id": "quiz-2"'),
        "cell 2: question id 'q1' is used twice",
        "its own id",
    )


def quiz_question_id_not_text(course: Path) -> Want:
    path = course / QUIZ
    edit_notebook(path, lambda nb: question(nb, 0).update(id=["q1"]))
    return Want(
        path,
        cell_line(path, '"id": "quiz-1"'),
        "cell 1: question ['q1']: question id must be letters, digits, '-' or '_'",
    )


def quiz_unknown_question_type(course: Path) -> Want:
    path = course / QUIZ
    edit_notebook(path, lambda nb: question(nb, 1).update(type="essay"))
    return Want(
        path,
        cell_line(path, '"id": "quiz-2"'),
        "cell 2: question 'q2': question type 'essay' is not one of "
        "single, multiple, numeric, text, output",
    )


def quiz_without_questions(course: Path) -> Want:
    path = course / QUIZ

    def change(nb: dict[str, Any]) -> None:
        for cell in nb["cells"]:
            del cell["metadata"]["nbcampus"]

    edit_notebook(path, change)
    return Want(path, 1, "the quiz has no question", "metadata.nbcampus.question")


BROKEN = [
    yaml_mapping_value_in_a_plain_value,
    yaml_unclosed_quote,
    yaml_list_as_a_key,
    duplicate_yaml_key,
    duplicate_nested_yaml_key,
    unknown_nested_key,
    missing_required_key,
    bad_format,
    bad_id,
    id_differs_from_folder,
    mooc_with_seat_cap,
    spoc_without_seat_cap,
    sooc_without_seat_cap,
    spoc_with_open_enrolment,
    invite_without_codes_or_roster,
    roster_without_username_column,
    roster_not_utf8,
    roster_file_missing,
    cooc_without_members,
    cooc_without_organisation,
    cooc_without_branding,
    branding_logo_missing,
    lesson_file_missing,
    lesson_path_with_dotdot,
    lesson_path_absolute,
    quiz_file_missing,
    duplicate_module_id,
    duplicate_assignment_id,
    module_after_the_last_week,
    weights_do_not_add_up,
    quiz_weight_without_quiz,
    required_module_unknown,
    verified_certificate_without_verified_track,
    cohort_run_ends_before_start,
    cohort_without_runs,
    cohort_run_with_impossible_date,
    cohort_run_id_twice,
    modules_out_of_week_order,
    late_credit_steps_out_of_order,
    late_credit_rising,
    hard_close_before_last_credit_step,
    points_differ_from_the_notebook,
    source_folder_missing,
    graded_cell_without_grade_id,
    duplicated_grade_id,
    solution_cell_without_markers,
    hidden_tests_not_closed,
    graded_cell_without_points,
    nbgrader_metadata_not_an_object,
    exercise_not_json,
    exercise_in_nbformat_3,
    lesson_leaks_a_solution,
    lesson_not_json,
    quiz_answer_out_of_range,
    quiz_invalid_regex,
    quiz_duplicate_question_ids,
    quiz_question_id_not_text,
    quiz_unknown_question_type,
    quiz_without_questions,
]


@pytest.mark.parametrize("breaks", BROKEN, ids=[f.__name__ for f in BROKEN])
def test_broken_course(course, breaks):
    want = breaks(course)
    problem = only_problem(course)
    assert (problem.file, problem.line) == (want.file, want.line), str(problem)
    if isinstance(want.message, str):
        assert problem.message == want.message
    else:
        for fragment in want.message:
            assert fragment in problem.message
    assert problem.hint.strip(), f"no fix given for {problem}"
    assert want.hint in problem.hint
    assert str(problem).startswith(
        f"{want.file}:{want.line}: error: " if want.line else f"{want.file}: error: "
    )
    assert str(problem).endswith(f"\n    fix: {problem.hint}")


def test_broken_cases_are_distinct():
    assert len(BROKEN) == len(set(BROKEN)) >= 12


# --- the command line ----------------------------------------------------------------------------


def run_cli(*args: object) -> subprocess.CompletedProcess[str]:
    assert NBCAMPUS.is_file(), f"{NBCAMPUS} is not installed"
    return subprocess.run(
        [str(NBCAMPUS), "course", "check", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_valid_course(course):
    result = run_cli(course)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"{course}: ok\n", "")


def test_cli_broken_course(course):
    yml = course / "course.yml"
    edit(yml, "format: mooc", "format: webinar")
    line = line_of(yml, "format: webinar")
    result = run_cli(course)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"{yml}:{line}: error: format: 'webinar' is not one of mooc, cooc, spoc, sooc\n"
        "    fix: use one of the listed values\n"
        f"{course}: 1 error(s)\n"
    )


def test_cli_several_folders(tmp_path):
    good, other_good = copy_course(tmp_path / "a"), copy_course(tmp_path / "b")
    broken = copy_course(tmp_path / "c")
    yml = broken / "course.yml"
    edit(yml, "weights: {assignments: 0.7,", "weights: {assignments: 0.9,")
    edit(yml, "id: minimal", "id: maximal")

    both_good = run_cli(good, other_good)
    assert both_good.returncode == 0
    assert both_good.stdout == f"{good}: ok\n{other_good}: ok\n"

    mixed = run_cli(good, broken, other_good)
    assert mixed.returncode == 1
    assert mixed.stdout == f"{good}: ok\n{other_good}: ok\n"
    assert mixed.stderr.splitlines() == [
        f"{yml}:{line_of(yml, 'id: maximal')}: error: "
        "id 'maximal' differs from the folder name 'minimal'",
        "    fix: rename the folder to 'maximal' or set id: minimal",
        f"{yml}:{line_of(yml, 'weights:')}: error: grading weights must add up to 1",
        "    fix: they add up to 1.2",
        f"{broken}: 2 error(s)",
    ]


def test_cli_missing_folder(tmp_path):
    result = run_cli(tmp_path / "nowhere")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == f"{tmp_path / 'nowhere'}: error: no such course folder"


def test_cli_without_a_folder():
    result = run_cli()
    assert result.returncode == 2
    assert "give the path of at least one course folder" in result.stderr
    assert result.stdout == ""
