"""Points, as the course file's ``rewards.points`` give them: per lesson done (progress's
rule), per exercise in proportion to its counted grade once its feedback is released (grading's
rule: a grade the learner may not see yet earns nothing), per quiz in proportion to its best
attempt, per discussion answer accepted. Worked out from those records each time, for one
learner or a whole cohort at once, with a line per module (the panel's per-module progress)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from nbcampus.course.engagement import reward_points
from nbcampus.school.catalog.api import CourseRecord
from nbcampus.school.core.api import NotFound
from nbcampus.school.discussion.api import accepted_answers
from nbcampus.school.grading.api import current_grades
from nbcampus.school.progress.api import lessons_done
from nbcampus.school.quizzes.api import best_attempts, quiz_id_of, quiz_points


def point_values(course: CourseRecord) -> dict[str, int]:
    """The course's points per kind; NotFound when the course has no rewards."""
    values = reward_points(course.data)
    if values is None:
        raise NotFound(f"course {course.id!r} has no rewards (its course file sets none)")
    return values


def _module_line(module, values, done_lessons, grades, bests, quiz_max) -> dict[str, Any]:
    lessons = [lesson["file"] for lesson in module.get("lessons", [])]
    exercises = [a["id"] for a in module.get("assignments", [])]
    released = {a: g for a, g in grades.items() if a in exercises and g.released_at is not None}
    earned = values["lesson"] * sum(1 for f in lessons if f in done_lessons)
    earned += values["exercise"] * sum(
        g.score / g.max_score for g in released.values() if g.max_score
    )
    quiz = quiz_id_of(module) if module.get("quiz") else None
    best = bests.get(quiz) if quiz else None
    if best is not None and quiz_max.get(quiz):
        earned += values["quiz"] * best / quiz_max[quiz]
    return {
        "id": module["id"],
        "title": module["title"],
        "lessons_done": sum(1 for f in lessons if f in done_lessons),
        "lessons": len(lessons),
        "exercises_graded": len(released),
        "exercises": len(exercises),
        "quiz_done": best is not None,
        "has_quiz": quiz is not None,
        "points": round(earned),
    }


def course_points(
    session: Session, course: CourseRecord, usernames: list[str]
) -> dict[str, dict[str, Any]]:
    """Each learner's points in the course: ``{username: {total, modules, accepted_answers,
    discussion_points}}`` (NotFound when the course has no rewards)."""
    values = point_values(course)
    done = lessons_done(session, course.id, usernames)
    grades = current_grades(session, course.id, usernames, course.data)
    bests = best_attempts(session, course.id, usernames)
    quiz_max = quiz_points(session, course.id)
    accepted = accepted_answers(session, course.id, usernames)
    result = {}
    for username in usernames:
        modules = [
            _module_line(
                m,
                values,
                done.get(username, set()),
                grades.get(username, {}),
                bests.get(username, {}),
                quiz_max,
            )
            for m in course.data["modules"]
        ]
        answers = accepted.get(username, 0)
        discussion = values["accepted_answer"] * answers
        result[username] = {
            "total": sum(m["points"] for m in modules) + discussion,
            "modules": modules,
            "accepted_answers": answers,
            "discussion_points": discussion,
        }
    return result
