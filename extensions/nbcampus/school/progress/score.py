"""THE weighted course score: one rule for reports, a learner's progress, the panel and certificates.

A learner's score in percent is ``100 * (wa * A + wq * Q) / (wa + wq)`` where

- *A* is the assignments part: each assignment of the course file weighs its ``points``; it
  earns ``points * min(score / max_score, 1)`` of its current grade (the best graded attempt, or the
  latest when the course counts the latest: ``grading.api.counted_order``; nothing when not
  graded), and A is the earned points over all the assignments' points;
- *Q* is the quizzes part: each quiz weighs the points of its published questions; it earns its
  best attempt's points (at most its own points), and Q is the earned points over all quizzes'
  points, so a 10-point quiz counts ten times a 1-point one;
- ``wa`` and ``wq`` are the course file's ``grading.weights`` (assignments 1, quizzes 0 when the
  file has no grading block); a part with nothing to score (no points) gives its weight to the
  other; when both weights are 0 the scored parts count alike.

The rule has two forms that must agree: :meth:`ScoreRule.score` in Python, for one learner, and
:meth:`ScoreRule.sql`, the same arithmetic as SQL for reports over 100,000 learners.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, literal
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from nbcampus.school.grading.api import current_grades
from nbcampus.school.quizzes.api import best_attempts, quiz_id_of, quiz_points

#: the weights of a course file without a grading block
DEFAULT_WEIGHTS = {"assignments": 1.0, "quizzes": 0.0}


@dataclass(frozen=True)
class ScoreRule:
    """What a course's score is made of: its assignments' and quizzes' points and weights."""

    #: assignment id -> points (the course file's)
    assignments: Mapping[str, float]
    #: quiz id -> points (its published questions' points)
    quizzes: Mapping[str, float]
    assignment_weight: float
    quiz_weight: float

    @classmethod
    def of(cls, course_data: dict[str, Any], quiz_points: Mapping[str, float]) -> ScoreRule:
        """The rule of a course file; ``quiz_points`` are the published quizzes' points by id
        (``quizzes.api.quiz_points``), for the quizzes the course file's modules name."""
        modules = course_data.get("modules", [])
        weights = course_data.get("grading", {}).get("weights", DEFAULT_WEIGHTS)
        return cls(
            assignments={
                a["id"]: float(a.get("points", 0))
                for m in modules
                for a in m.get("assignments", [])
            },
            quizzes={
                qid: float(quiz_points.get(qid, 0.0))
                for qid in (quiz_id_of(m) for m in modules if m.get("quiz"))
            },
            assignment_weight=float(weights.get("assignments", 0)),
            quiz_weight=float(weights.get("quizzes", 0)),
        )

    @property
    def assignment_total(self) -> float:
        return sum(self.assignments.values())

    @property
    def quiz_total(self) -> float:
        return sum(self.quizzes.values())

    def weights(self) -> tuple[float, float]:
        """(wa, wq) after the rules for parts with nothing to score and for zero weights."""
        has_a, has_q = self.assignment_total > 0, self.quiz_total > 0
        wa = self.assignment_weight if has_a else 0.0
        wq = self.quiz_weight if has_q else 0.0
        if wa + wq == 0:
            wa, wq = float(has_a), float(has_q)
        return wa, wq

    # Python, one learner ------------------------------------------------------------------
    def earned(self, assignment_id: str, score: float, max_score: float) -> float:
        """The points one current grade earns towards the assignments part."""
        points = self.assignments.get(assignment_id, 0.0)
        return points * min(score / max_score, 1.0) if max_score > 0 else 0.0

    def quiz_earned(self, quiz_id: str, best: float) -> float:
        """The points a quiz's best attempt earns towards the quizzes part (at most its own)."""
        return min(best, self.quizzes.get(quiz_id, 0.0))

    def score(
        self,
        grades: Mapping[str, tuple[float, float]],
        best_quiz_points: Mapping[str, float],
    ) -> float | None:
        """The score in percent from ``{assignment id: (score, max_score)}`` of current grades
        and ``{quiz id: best attempt's points}``; None when the course scores nothing."""
        wa, wq = self.weights()
        if wa + wq == 0:
            return None
        total = 0.0
        if wa:
            earned = sum(self.earned(a, *grades[a]) for a in self.assignments if a in grades)
            total += wa * earned / self.assignment_total
        if wq:
            got = sum(self.quiz_earned(q, best_quiz_points.get(q, 0.0)) for q in self.quizzes)
            total += wq * got / self.quiz_total
        return 100.0 * total / (wa + wq)

    def score_grades(
        self, grades: Mapping[str, Any], best_quiz_points: Mapping[str, float]
    ) -> float | None:
        """:meth:`score` from ``{assignment id: Grade}`` (current grades, as
        ``grading.api.current_grades`` gives them per learner)."""
        return self.score({a: (g.score, g.max_score) for a, g in grades.items()}, best_quiz_points)

    # SQL, every learner at once -----------------------------------------------------------
    def earned_sql(
        self, assignment_id: ColumnElement, score: ColumnElement, max_score: ColumnElement
    ) -> ColumnElement:
        """:meth:`earned` as a column expression over a grade row."""
        if not self.assignments:
            return literal(0.0)
        points = case(*((assignment_id == a, p) for a, p in self.assignments.items()), else_=0.0)
        fraction = score * 1.0 / max_score
        capped = case((fraction > 1.0, 1.0), else_=fraction)
        return case((max_score > 0, points * capped), else_=0.0)

    def capped_quiz_sql(self, quiz_id: ColumnElement, best: ColumnElement) -> ColumnElement:
        """A quiz's best points capped at the quiz's own points, as a column expression."""
        if not self.quizzes:
            return literal(0.0)
        most = case(*((quiz_id == q, p) for q, p in self.quizzes.items()), else_=0.0)
        return case((best > most, most), else_=best)

    def sql(self, earned_points: ColumnElement, quiz_points: ColumnElement) -> ColumnElement:
        """:meth:`score` from a learner's summed :meth:`earned_sql` and :meth:`capped_quiz_sql`
        (NULL when the course scores nothing)."""
        wa, wq = self.weights()
        if wa + wq == 0:
            return literal(None)
        parts = []
        if wa:
            parts.append(earned_points * (wa / self.assignment_total))
        if wq:
            parts.append(quiz_points * (wq / self.quiz_total))
        return sum(parts[1:], parts[0]) * (100.0 / (wa + wq))


def rule_of(session: Session, course_id: str, course_data: dict[str, Any]) -> ScoreRule:
    """The score rule of a published course."""
    return ScoreRule.of(course_data, quiz_points(session, course_id))


def course_scores(
    session: Session,
    course_id: str,
    course_data: dict[str, Any],
    usernames: Iterable[str] | None = None,
) -> dict[str, float | None]:
    """``{username: score in percent}`` of the learners with any grade or quiz attempt in the
    course (only ``usernames`` when given); learners with neither are left out."""
    rule = rule_of(session, course_id, course_data)
    wanted = list(usernames) if usernames is not None else None
    grades = current_grades(session, course_id, wanted, course_data)
    quizzes = best_attempts(session, course_id, wanted)
    return {
        username: rule.score_grades(grades.get(username, {}), quizzes.get(username, {}))
        for username in set(grades) | set(quizzes)
    }
