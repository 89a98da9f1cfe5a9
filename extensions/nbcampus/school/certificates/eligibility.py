"""Who may have a certificate, by the rules of the course file's ``certificate`` block.

- ``enabled``: the course gives certificates at all;
- ``min_score``: the weighted score (``grading.weights``: assignments against quizzes), in
  percent, reaches it (default: ``grading.pass_score``, else 0);
- ``required_modules``: each of these modules is complete: every assignment in it has a grade
  that counts and its quiz (if it has one) was attempted;
- ``verified_only``: the learner is on the verified track;
- ``instructor_approval``: a staff member approved the learner.

A module's ``reward`` (a badge or a module certificate) asks that the module be complete (the
same rule as ``required_modules``) and that the module's own score, THE score rule applied to
that module's assignments and quiz, reach the reward's ``min_score`` (default 0).

The weighted score is the school's one course score (``nbcampus.school.progress.score``), the
same the reports and the learner's progress show; a course that scores nothing counts as 100%.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import CourseRecord
from nbcampus.school.certificates.models import CertificateApproval
from nbcampus.school.enrolment.api import ENROLLED, VERIFIED_TRACK, Enrolment
from nbcampus.school.grading.api import Grade, current_grades
from nbcampus.school.progress.api import ScoreRule, rule_of
from nbcampus.school.quizzes.api import best_attempts, quiz_id_of, quiz_points


@dataclass
class Eligibility:
    """The verdict for one learner: eligible or not, the score, and what is missing."""

    username: str
    score: float
    missing: list[str] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return not self.missing

    def to_json(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "eligible": self.eligible,
            "score": round(self.score, 2),
            "missing": self.missing,
        }


def rules(course: CourseRecord) -> dict[str, Any]:
    """The course's certificate block with its defaults filled in."""
    block = course.data.get("certificate", {})
    grading = course.data.get("grading", {})
    return {
        "enabled": bool(block.get("enabled", False)),
        "min_score": float(block.get("min_score", grading.get("pass_score", 0))),
        "required_modules": list(block.get("required_modules", [])),
        "verified_only": bool(block.get("verified_only", False)),
        "instructor_approval": bool(block.get("instructor_approval", False)),
    }


def _module_gaps(
    course_data: dict[str, Any],
    required: list[str],
    grades: dict[str, Grade],
    quizzes: dict[str, float],
) -> list[str]:
    modules = {m["id"]: m for m in course_data.get("modules", [])}
    gaps = []
    for module_id in required:
        module = modules.get(module_id)
        if module is None:
            gaps.append(f"module {module_id} is required but not in the course")
            continue
        ungraded = [a["id"] for a in module.get("assignments", []) if a["id"] not in grades]
        if ungraded:
            gaps.append(f"module {module_id}: no grade yet for {', '.join(ungraded)}")
        if module.get("quiz") and quiz_id_of(module) not in quizzes:
            gaps.append(f"module {module_id}: quiz {quiz_id_of(module)} not attempted")
    return gaps


def evaluate(
    session: Session, course: CourseRecord, usernames: Iterable[str] | None = None
) -> dict[str, Eligibility]:
    """The verdict for every enrolled learner of ``course`` (or only ``usernames``)."""
    wanted = list(usernames) if usernames is not None else None
    rule = rules(course)
    query = select(Enrolment.username, Enrolment.track).where(
        Enrolment.course_id == course.id, Enrolment.status == ENROLLED
    )
    if wanted is not None:
        query = query.where(Enrolment.username.in_(wanted))
    tracks = dict(session.execute(query).all())
    grades = current_grades(
        session, course.id, list(tracks) if wanted is not None else None, course.data
    )
    quizzes = best_attempts(session, course.id, list(tracks) if wanted is not None else None)
    score_rule = rule_of(session, course.id, course.data)
    approved: set[str] = set()
    if rule["instructor_approval"]:
        approvals = select(CertificateApproval.username).where(
            CertificateApproval.course_id == course.id
        )
        if wanted is not None:
            approvals = approvals.where(CertificateApproval.username.in_(list(tracks)))
        approved = set(session.scalars(approvals))
    verdicts = {}
    for username, track in tracks.items():
        mine, my_quizzes = grades.get(username, {}), quizzes.get(username, {})
        score = score_rule.score_grades(mine, my_quizzes)
        verdict = Eligibility(username, 100.0 if score is None else score)
        if not rule["enabled"]:
            verdict.missing.append(f"course {course.id} gives no certificates")
        if verdict.score + 1e-9 < rule["min_score"]:
            verdict.missing.append(
                f"score {verdict.score:.1f}% is below the {rule['min_score']:g}% required"
            )
        verdict.missing += _module_gaps(course.data, rule["required_modules"], mine, my_quizzes)
        if rule["verified_only"] and track != VERIFIED_TRACK:
            verdict.missing.append("certificates of this course are for the verified track only")
        if rule["instructor_approval"] and username not in approved:
            verdict.missing.append("waiting for an instructor's approval")
        verdicts[username] = verdict
    for username in wanted or []:
        if username not in verdicts:
            verdicts[username] = Eligibility(
                username, 0.0, [f"{username} is not enrolled in {course.id}"]
            )
    return verdicts


def module_rewards(course: CourseRecord) -> dict[str, dict[str, Any]]:
    """``{module id: {"award", "min_score", "title"}}`` of the modules with a reward."""
    return {
        m["id"]: {
            "award": m["reward"]["award"],
            "min_score": float(m["reward"].get("min_score", 0)),
            "title": m["title"],
        }
        for m in course.data.get("modules", [])
        if m.get("reward")
    }


def module_verdicts(
    session: Session, course: CourseRecord, username: str, modules: Iterable[str] | None = None
) -> dict[str, Eligibility]:
    """The verdict of each rewarded module (or only ``modules``) for one learner: complete,
    at the reward's score (the module's own), and enrolled."""
    rewards = module_rewards(course)
    wanted = [m for m in (modules if modules is not None else rewards) if m in rewards]
    if not wanted:
        return {}
    enrolled = session.scalar(
        select(Enrolment.username).where(
            Enrolment.course_id == course.id,
            Enrolment.username == username,
            Enrolment.status == ENROLLED,
        )
    )
    grades = current_grades(session, course.id, [username], course.data).get(username, {})
    quizzes = best_attempts(session, course.id, [username]).get(username, {})
    points = quiz_points(session, course.id)
    by_id = {m["id"]: m for m in course.data.get("modules", [])}
    verdicts = {}
    for module_id in wanted:
        rule = ScoreRule.of({**course.data, "modules": [by_id[module_id]]}, points)
        score = rule.score_grades(grades, quizzes)
        verdict = Eligibility(username, 100.0 if score is None else score)
        if enrolled is None:
            verdict.missing.append(f"{username} is not enrolled in {course.id}")
        verdict.missing += _module_gaps(course.data, [module_id], grades, quizzes)
        least = rewards[module_id]["min_score"]
        if verdict.score + 1e-9 < least:
            verdict.missing.append(
                f"module {module_id}: score {verdict.score:.1f}% is below the {least:g}% required"
            )
        verdicts[module_id] = verdict
    return verdicts
