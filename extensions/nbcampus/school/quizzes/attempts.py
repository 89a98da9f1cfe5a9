"""Quizzes graded on the server.

At publish the service reads each quiz notebook of the course, keeps the key (answer, tolerance,
patterns) in its database and gives learners the questions only. Option order is shuffled per
learner by a hash of learner, quiz and question: the same order at every reload, no stored
randomness. Answers are scored here, each attempt is recorded, and the attempt limit
(``max_attempts`` of the module's quiz) and the due date (server clock) are enforced.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import datetime
from typing import Any

import nbformat
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nbcampus.course.model import Course
from nbcampus.school.catalog.api import get_course
from nbcampus.school.core import api as events
from nbcampus.school.core.api import (
    CampusError,
    Conflict,
    Forbidden,
    NotFound,
    readable,
    utcnow,
)
from nbcampus.school.deadlines.api import resolve_deadlines
from nbcampus.school.enrolment.api import Enrolment, find_enrolment
from nbcampus.school.quizzes.models import QuizAttempt, QuizRecord

QUESTION_TYPES = ("single", "multiple", "numeric", "text", "output")
#: fields of a question that are the key: never sent to a learner
KEY_FIELDS = ("answer", "tolerance", "patterns")


def quiz_id_of(module: dict[str, Any]) -> str:
    """The id deadlines and attempts use for a module's quiz."""
    return f"{module['id']}-quiz"


def read_quiz(path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(questions learners see, key by question id) from a quiz notebook."""
    nb = nbformat.read(str(path), as_version=4)
    questions, key = [], {}
    for number, cell in enumerate(nb.cells, start=1):
        q = cell.get("metadata", {}).get("nbcampus", {}).get("question")
        if q is None:
            continue
        where = f"{path} cell {number}"
        if q.get("type") not in QUESTION_TYPES:
            raise CampusError(f"{where}: question type must be one of {', '.join(QUESTION_TYPES)}")
        if not q.get("id"):
            raise CampusError(f"{where}: the question has no id")
        if q["id"] in key:
            raise CampusError(f"{where}: question id {q['id']!r} is used twice")
        if q["type"] in ("single", "multiple") and not q.get("options"):
            raise CampusError(f"{where}: a {q['type']} question needs options")
        if q["type"] == "text" and not (q.get("patterns") or "answer" in q):
            raise CampusError(f"{where}: a text question needs patterns or an answer")
        if q["type"] != "text" and "answer" not in q:
            raise CampusError(f"{where}: the question has no answer")
        public = {
            "id": q["id"],
            "type": q["type"],
            "prompt": cell.source,
            "points": float(q.get("points", 1)),
        }
        if q.get("options"):
            public["options"] = list(q["options"])
        if q.get("code"):
            public["code"] = q["code"]
        questions.append(public)
        key[q["id"]] = {k: q[k] for k in KEY_FIELDS if k in q}
    return questions, key


def publish_quizzes(session: Session, course: Course) -> list[str]:
    """Store the course's quizzes (questions and key); return the ids that changed."""
    existing = {
        r.quiz_id: r
        for r in session.scalars(select(QuizRecord).where(QuizRecord.course_id == course.id))
    }
    changed = []
    for module in course.modules:
        quiz = module.get("quiz")
        if not quiz:
            continue
        path = course.path / quiz["file"]
        questions, key = read_quiz(path)
        digest = hashlib.sha256(
            json.dumps([questions, key, quiz], sort_keys=True).encode()
        ).hexdigest()
        quiz_id = quiz_id_of(module)
        record = existing.get(quiz_id)
        if record is not None and record.source_hash == digest:
            continue
        if record is None:
            record = QuizRecord(course_id=course.id, quiz_id=quiz_id)
            session.add(record)
        record.module_id = module["id"]
        record.title = quiz.get("title", quiz_id)
        record.max_attempts = quiz.get("max_attempts")
        record.questions = questions
        record.key = key
        record.source_hash = digest
        record.published_at = utcnow()
        changed.append(quiz_id)
    session.flush()
    return changed


def option_order(
    username: str, course_id: str, quiz_id: str, question_id: str, n: int
) -> list[int]:
    """The learner's order of ``n`` options: stable for them, different between learners."""

    def rank(i: int) -> str:
        text = "\0".join([username, course_id, quiz_id, question_id, str(i)])
        return hashlib.sha256(text.encode()).hexdigest()

    return sorted(range(n), key=rank)


def get_quiz(session: Session, course_id: str, quiz_id: str) -> QuizRecord:
    record = session.scalar(
        select(QuizRecord).where(QuizRecord.course_id == course_id, QuizRecord.quiz_id == quiz_id)
    )
    if record is None:
        raise NotFound(f"{course_id} has no quiz {quiz_id!r}")
    return record


def attempts_of(session: Session, course_id: str, quiz_id: str, username: str) -> list[QuizAttempt]:
    return list(
        session.scalars(
            select(QuizAttempt)
            .where(
                QuizAttempt.course_id == course_id,
                QuizAttempt.quiz_id == quiz_id,
                QuizAttempt.username == username,
            )
            .order_by(QuizAttempt.attempt)
        )
    )


def _deadline(session: Session, course_id: str, quiz_id: str, enrolment: Enrolment):
    course = get_course(session, course_id)
    return resolve_deadlines(session, course.data, enrolment).get(quiz_id)


def _due_at(session: Session, course_id: str, quiz_id: str, enrolment: Enrolment):
    deadline = _deadline(session, course_id, quiz_id, enrolment)
    return deadline.due_at if deadline is not None else None


def _opens_at(enrolment: Enrolment) -> datetime | None:
    cohort = enrolment.cohort
    return cohort.starts_at if cohort is not None else None


def learner_quiz(session: Session, course_id: str, quiz_id: str, username: str) -> dict[str, Any]:
    """The quiz as one learner sees it: questions without key, options in their own order."""
    enrolment = find_enrolment(session, course_id, username, active=True)
    record = get_quiz(session, course_id, quiz_id)
    questions = []
    for q in record.questions:
        shown = dict(q)
        if "options" in q:
            order = option_order(username, course_id, quiz_id, q["id"], len(q["options"]))
            # each option carries its index in the quiz file: answers name options by it
            shown["options"] = [{"index": i, "text": q["options"][i]} for i in order]
        questions.append(shown)
    attempts = attempts_of(session, course_id, quiz_id, username)
    due_at = _due_at(session, course_id, quiz_id, enrolment)
    return {
        "course": course_id,
        "quiz": quiz_id,
        "title": record.title,
        "questions": questions,
        "max_score": sum(q["points"] for q in record.questions),
        "max_attempts": record.max_attempts,
        "attempts": [attempt_json(a) for a in attempts],
        "opens_at": _opens_at(enrolment),
        "due_at": due_at,
        "now": utcnow(),
    }


def attempt_json(attempt: QuizAttempt) -> dict[str, Any]:
    return {
        "attempt": attempt.attempt,
        "submitted_at": attempt.submitted_at,
        "score": attempt.score,
        "max_score": attempt.max_score,
        "feedback": attempt.results,
        #: the learner's own answers as sent (their options by the quiz file's index)
        "answers": attempt.answers,
    }


def _as_index_set(value: Any, where: str) -> set[int]:
    if not isinstance(value, list) or not all(isinstance(v, int) for v in value):
        raise CampusError(f"{where}: give a list of option indexes")
    return set(value)


def _normalise_output(text: str) -> str:
    return "\n".join(line.rstrip() for line in str(text).strip().splitlines())


def is_correct(qtype: str, key: dict[str, Any], answer: Any, where: str) -> bool:
    """Score one answer against its key; a malformed answer is a CampusError naming the question."""
    if answer is None:
        return False
    if qtype == "single":
        if not isinstance(answer, int) or isinstance(answer, bool):
            raise CampusError(f"{where}: give one option index")
        return answer == key["answer"]
    if qtype == "multiple":
        return _as_index_set(answer, where) == set(key["answer"])
    if qtype == "numeric":
        try:
            value = float(answer)
        except (TypeError, ValueError):
            raise CampusError(f"{where}: give a number") from None
        if not math.isfinite(value):
            raise CampusError(f"{where}: give a finite number")
        return abs(value - float(key["answer"])) <= float(key.get("tolerance", 0))
    if not isinstance(answer, str):
        raise CampusError(f"{where}: give a text answer")
    if qtype == "text":
        if "answer" in key and answer.strip() == str(key["answer"]).strip():
            return True
        return any(re.search(p, answer) for p in key.get("patterns", []))
    # output: what the code prints, compared line by line without trailing blanks
    return _normalise_output(answer) == _normalise_output(key["answer"])


def score(record: QuizRecord, answers: dict[str, Any]) -> dict[str, dict[str, Any]]:
    known = {q["id"] for q in record.questions}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise CampusError(f"quiz {record.quiz_id} has no question {', '.join(unknown)}")
    results = {}
    for q in record.questions:
        correct = is_correct(
            q["type"], record.key[q["id"]], answers.get(q["id"]), f"question {q['id']}"
        )
        results[q["id"]] = {
            "correct": correct,
            "points": q["points"] if correct else 0.0,
            "max_points": q["points"],
        }
    return results


def submit_attempt(
    session: Session, course_id: str, quiz_id: str, username: str, answers: dict[str, Any]
) -> QuizAttempt:
    """Score and record one attempt, within the attempt limit and the quiz's time window."""
    if not isinstance(answers, dict):
        raise CampusError("answers must be an object {question id: answer}")
    enrolment = find_enrolment(session, course_id, username, active=True)
    # one attempt at a time per learner: lock their enrolment row (SQLite: BEGIN IMMEDIATE)
    session.get(Enrolment, enrolment.id, with_for_update=True)
    record = get_quiz(session, course_id, quiz_id)
    now = utcnow()
    opens_at = _opens_at(enrolment)
    if opens_at is not None and now < opens_at:
        raise Forbidden(f"quiz {quiz_id} opens at {readable(opens_at)}")
    deadline = _deadline(session, course_id, quiz_id, enrolment)
    # the deadlines package's late policy decides (a quiz's default: closed at its due date)
    status = deadline.status(now) if deadline is not None else None
    if status is not None and not status.accepted:
        raise Forbidden(f"quiz {quiz_id} closed at {readable(status.closes_at)}")
    done = session.scalar(
        select(func.count())
        .select_from(QuizAttempt)
        .where(
            QuizAttempt.course_id == course_id,
            QuizAttempt.quiz_id == quiz_id,
            QuizAttempt.username == username,
        )
    )
    if record.max_attempts is not None and done >= record.max_attempts:
        raise Conflict(f"no attempts left: quiz {quiz_id} allows {record.max_attempts}")
    results = score(record, answers)
    attempt = QuizAttempt(
        course_id=course_id,
        quiz_id=quiz_id,
        username=username,
        attempt=done + 1,
        submitted_at=now,
        answers=answers,
        results=results,
        score=sum(r["points"] for r in results.values()),
        max_score=sum(r["max_points"] for r in results.values()),
    )
    session.add(attempt)
    session.flush()
    events.publish(
        session,
        events.QuizAttempted(
            course_id=course_id, username=username, quiz_id=quiz_id, attempt=attempt.attempt
        ),
    )
    return attempt


def quiz_points(session: Session, course_id: str) -> dict[str, float]:
    """The points each published quiz of the course gives: ``{quiz id: points}``."""
    return {
        r.quiz_id: float(sum(q.get("points", 1) for q in r.questions))
        for r in session.scalars(select(QuizRecord).where(QuizRecord.course_id == course_id))
    }


def best_attempts(
    session: Session, course_id: str, usernames: list[str] | None = None
) -> dict[str, dict[str, float]]:
    """``{username: {quiz id: best attempt's points}}``, aggregated in the database."""
    query = select(QuizAttempt.username, QuizAttempt.quiz_id, func.max(QuizAttempt.score)).where(
        QuizAttempt.course_id == course_id
    )
    if usernames is not None:
        query = query.where(QuizAttempt.username.in_(usernames))
    result: dict[str, dict[str, float]] = {}
    for username, quiz_id, best in session.execute(
        query.group_by(QuizAttempt.username, QuizAttempt.quiz_id)
    ):
        result.setdefault(username, {})[quiz_id] = float(best)
    return result
