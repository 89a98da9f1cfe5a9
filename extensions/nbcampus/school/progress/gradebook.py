"""The gradebook a university's LMS imports: one line per enrolled learner, one column per
exercise and quiz, and the course score, as CSV in Moodle's or Canvas's import format.

No figure is computed here: an exercise's cell is what its current grade earns under the
course's score rule (``ScoreRule.earned``: the grade's score, which the grading package wrote
after the late policy's credit, on the course file's points), a quiz's cell its best attempt's
points capped at the quiz's points (``ScoreRule.quiz_earned``), the course score
``ScoreRule.score_grades``. A cell is empty when there is nothing graded or attempted yet, so
an import never overwrites a grade in the LMS with a zero it did not earn.

- Moodle (*Grades > Import > CSV file*): a header row, an identifier column to map from
  (``Username``, or ``Email address`` when the learner's address is verified), then one column
  per grade item, mapped to an existing or a new grade item on import.
- Canvas (*Grades > Import*): ``Student, ID, SIS User ID, SIS Login ID, Section``, then one
  column per assignment named ``Title (id)``, and a second row ``Points Possible``; columns
  Canvas does not know become new assignments. ``ID`` (Canvas's own user number) is left
  empty: Canvas matches on the SIS login (our username).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import get_course
from nbcampus.school.core.api import CampusError
from nbcampus.school.enrolment.api import ENROLLED, course_enrolments
from nbcampus.school.grading.api import current_grades
from nbcampus.school.progress.score import rule_of
from nbcampus.school.quizzes.api import best_attempts, quiz_id_of

FORMATS = ("moodle", "canvas")
#: the course score's column: percent, so its points possible are 100
SCORE_ID, SCORE_TITLE = "course-score", "Course score"


@dataclass(frozen=True)
class GradebookItem:
    """One column: an exercise (assignment) or a quiz of the course file."""

    id: str
    kind: str  # "assignment" or "quiz"
    title: str
    points: float


@dataclass(frozen=True)
class GradebookLine:
    """One learner: their cells by item id (None: nothing graded or attempted) and score."""

    username: str
    cohort: str
    cells: dict[str, float | None]
    score: float | None
    #: assignment id -> the late credit in percent of the counted grade, where below 100
    late_credit: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Gradebook:
    course_id: str
    title: str
    items: list[GradebookItem]
    lines: list[GradebookLine]


def course_items(course_data: dict[str, Any], rule) -> list[GradebookItem]:
    """The course's exercises and quizzes in the course file's order, with their points."""
    items = []
    for module in course_data.get("modules", []):
        for a in module.get("assignments", []):
            items.append(
                GradebookItem(
                    a["id"], "assignment", a.get("title") or a["id"], rule.assignments[a["id"]]
                )
            )
        if module.get("quiz"):
            qid = quiz_id_of(module)
            title = module["quiz"].get("title") or f"{module.get('title') or module['id']} quiz"
            items.append(GradebookItem(qid, "quiz", title, rule.quizzes.get(qid, 0.0)))
    return items


def gradebook(session: Session, course_id: str) -> Gradebook:
    """The gradebook of every enrolled learner of a published course, ordered by name."""
    course = get_course(session, course_id)
    rule = rule_of(session, course_id, course.data)
    items = course_items(course.data, rule)
    enrolments = sorted(course_enrolments(session, course_id, ENROLLED), key=lambda e: e.username)
    names = [e.username for e in enrolments]
    grades = current_grades(session, course_id, names, course.data)
    quizzes = best_attempts(session, course_id, names)
    lines = []
    for e in enrolments:
        mine, best = grades.get(e.username, {}), quizzes.get(e.username, {})
        cells: dict[str, float | None] = {}
        for item in items:
            if item.kind == "assignment":
                g = mine.get(item.id)
                cells[item.id] = None if g is None else rule.earned(item.id, g.score, g.max_score)
            else:
                got = best.get(item.id)
                cells[item.id] = None if got is None else rule.quiz_earned(item.id, got)
        lines.append(
            GradebookLine(
                username=e.username,
                cohort=e.cohort.name if e.cohort is not None else "",
                cells=cells,
                score=rule.score_grades(mine, best),
                late_credit={
                    a: g.credit_percent for a, g in mine.items() if g.credit_percent < 100
                },
            )
        )
    return Gradebook(course_id, course.title, items, lines)


def _number(value: float | None) -> str:
    """A cell: empty for nothing yet, else at most 4 decimals without trailing zeros."""
    if value is None:
        return ""
    return f"{round(value, 4):.4f}".rstrip("0").rstrip(".")


def _text(value: str) -> str:
    """Text a spreadsheet must not run as a formula (a name could start with = or @)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_moodle(book: Gradebook, emails: Mapping[str, str] | None = None) -> str:
    """Moodle's grade import CSV: Username, Email address, Cohort, the items, Course score."""
    emails = emails or {}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["Username", "Email address", "Cohort", *(_text(i.title) for i in book.items), SCORE_TITLE]
    )
    for line in book.lines:
        writer.writerow(
            [
                _text(line.username),
                _text(emails.get(line.username, "")),
                _text(line.cohort),
                *(_number(line.cells[i.id]) for i in book.items),
                _number(line.score),
            ]
        )
    return out.getvalue()


def to_canvas(book: Gradebook, names: Mapping[str, str] | None = None) -> str:
    """Canvas's gradebook import CSV, with its Points Possible row; ``names``: display names
    (Student column; the username when none)."""
    names = names or {}
    out = io.StringIO()
    writer = csv.writer(out)
    columns = [f"{i.title} ({i.id})" for i in book.items] + [f"{SCORE_TITLE} ({SCORE_ID})"]
    writer.writerow(
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *map(_text, columns)]
    )
    writer.writerow(
        ["Points Possible", "", "", "", "", *(_number(i.points) for i in book.items), "100"]
    )
    for line in book.lines:
        writer.writerow(
            [
                _text(names.get(line.username) or line.username),
                "",
                _text(line.username),
                _text(line.username),
                _text(line.cohort),
                *(_number(line.cells[i.id]) for i in book.items),
                _number(line.score),
            ]
        )
    return out.getvalue()


def export(
    book: Gradebook,
    fmt: str,
    emails: Mapping[str, str] | None = None,
    names: Mapping[str, str] | None = None,
) -> str:
    """The gradebook as CSV in ``fmt`` (one of FORMATS)."""
    if fmt == "moodle":
        return to_moodle(book, emails)
    if fmt == "canvas":
        return to_canvas(book, names)
    raise CampusError(f"format: {fmt!r} is not one of {', '.join(FORMATS)}", status=400)
