"""Assignment and Grade Services: one line item per exercise and quiz in each linked LMS
course, and a score post for every change of a learner's counted score.

The rules here decide what to send and keep the record; the service's platform client does
the HTTP (school code knows nothing of it). A post is a row: the job, retried with backoff,
and afterwards the audit of what was sent, when, and what the platform answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import get_course
from nbcampus.school.core.api import GradeRecorded, QuizAttempted, utcnow
from nbcampus.school.grading.api import current_grades
from nbcampus.school.lti.models import (
    FAILED,
    QUEUED,
    SENT,
    LtiContext,
    LtiLineItem,
    LtiMember,
    LtiScorePost,
)
from nbcampus.school.quizzes.api import best_attempts, quiz_id_of, quiz_points

FULLY_GRADED, PENDING_MANUAL = "FullyGraded", "PendingManual"
COMPLETED, SUBMITTED = "Completed", "Submitted"


@dataclass(frozen=True)
class Item:
    """An exercise or quiz of a course: one gradebook column."""

    id: str
    kind: str  # exercise | quiz
    title: str
    points: float


@dataclass(frozen=True)
class Score:
    """What the platform is told of one learner on one item."""

    given: float | None
    maximum: float
    activity: str
    grading: str


def gradable_items(session: Session, course_id: str) -> list[Item]:
    """The course's exercises and quizzes, in course order."""
    course = get_course(session, course_id)
    points = quiz_points(session, course_id)
    items = []
    for module in course.data.get("modules", []):
        for assignment in module.get("assignments", []):
            items.append(
                Item(
                    assignment["id"],
                    "exercise",
                    assignment.get("title", assignment["id"]),
                    float(assignment.get("points", 0)),
                )
            )
        if module.get("quiz"):
            quiz_id = quiz_id_of(module)
            items.append(
                Item(
                    quiz_id, "quiz", module["quiz"].get("title", quiz_id), points.get(quiz_id, 0.0)
                )
            )
    return items


def resource_id(course_id: str, item_id: str) -> str:
    """The line item's resourceId: how the tool finds its column again on the platform."""
    return f"nbcampus:{course_id}:{item_id}"


def line_item_body(course_id: str, item: Item) -> dict[str, Any]:
    return {
        "scoreMaximum": item.points or 1.0,
        "label": item.title,
        "resourceId": resource_id(course_id, item.id),
        "tag": item.kind,
    }


def score_of(session: Session, course_id: str, username: str, item_id: str) -> Score | None:
    """The learner's counted score on the item, as the grading and quiz rules give it (late
    penalty applied), or None when there is nothing to report."""
    for item in gradable_items(session, course_id):
        if item.id != item_id:
            continue
        if item.kind == "quiz":
            best = best_attempts(session, course_id, [username]).get(username, {}).get(item_id)
            if best is None:
                return None
            return Score(best, item.points, COMPLETED, FULLY_GRADED)
        grade = current_grades(session, course_id, [username]).get(username, {}).get(item_id)
        if grade is None:
            return None
        pending = any(c.get("kind") == "manual" and c.get("points") is None for c in grade.cells)
        return Score(
            grade.score,
            grade.max_score,
            SUBMITTED if pending else COMPLETED,
            PENDING_MANUAL if pending else FULLY_GRADED,
        )
    return None


def queue_scores(
    session: Session, course_id: str, username: str, item_id: str, reason: str, force: bool = False
) -> list[LtiScorePost]:
    """Queue a post of the learner's score on the item to every LMS course they launched from
    that is linked to the course; none when the score is the one last queued (unless ``force``)."""
    members = session.execute(
        select(LtiMember, LtiContext)
        .join(LtiContext, LtiContext.id == LtiMember.context_pk)
        .where(
            LtiContext.course_id == course_id,
            LtiContext.lineitems_url.is_not(None),
            LtiMember.username == username,
            LtiMember.active.is_(True),
        )
    ).all()
    if not members:
        return []
    score = score_of(session, course_id, username, item_id)
    if score is None:
        return []
    queued = []
    for member, context in members:
        last = session.scalar(
            select(LtiScorePost)
            .where(
                LtiScorePost.context_pk == context.id,
                LtiScorePost.item_id == item_id,
                LtiScorePost.username == username,
                LtiScorePost.state != FAILED,
            )
            .order_by(LtiScorePost.id.desc())
            .limit(1)
        )
        if not force and last is not None and _same(last, score):
            continue
        post = LtiScorePost(
            context_pk=context.id,
            item_id=item_id,
            username=username,
            subject=member.subject,
            score_given=score.given,
            score_maximum=score.maximum,
            activity_progress=score.activity,
            grading_progress=score.grading,
            reason=reason,
            state=QUEUED,
            attempts=0,
            next_try_at=utcnow(),
        )
        session.add(post)
        queued.append(post)
    session.flush()
    return queued


def _same(post: LtiScorePost, score: Score) -> bool:
    return (post.score_given, post.score_maximum, post.grading_progress) == (
        score.given,
        score.maximum,
        score.grading,
    )


def on_grade(session: Session, event: GradeRecorded) -> None:
    queue_scores(session, event.course_id, event.username, event.assignment_id, "graded")


def on_quiz(session: Session, event: QuizAttempted) -> None:
    queue_scores(session, event.course_id, event.username, event.quiz_id, "quiz")


def queue_course(session: Session, course_id: str) -> int:
    """Queue again every member's score on every item (``nbcampus lti sync``); the count."""
    usernames = session.scalars(
        select(LtiMember.username)
        .join(LtiContext, LtiContext.id == LtiMember.context_pk)
        .where(LtiContext.course_id == course_id, LtiMember.active.is_(True))
        .distinct()
    ).all()
    count = 0
    for item in gradable_items(session, course_id):
        for username in usernames:
            count += len(queue_scores(session, course_id, username, item.id, "sync", force=True))
    return count


@dataclass(frozen=True)
class PostJob:
    """A score post due now, with what the platform client needs to send it."""

    id: int
    context_pk: int
    issuer: str
    lineitems_url: str
    line_item_url: str | None
    course_id: str
    item: Item
    body: dict[str, Any]


def due_posts(session: Session, now: datetime | None = None, limit: int = 50) -> list[PostJob]:
    """The queued posts whose time has come, oldest first."""
    now = now or utcnow()
    rows = session.execute(
        select(LtiScorePost, LtiContext)
        .join(LtiContext, LtiContext.id == LtiScorePost.context_pk)
        .where(LtiScorePost.state == QUEUED, LtiScorePost.next_try_at <= now)
        .order_by(LtiScorePost.id)
        .limit(limit)
    ).all()
    jobs, items = [], {}
    for post, context in rows:
        if context.course_id not in items:
            items[context.course_id] = {i.id: i for i in gradable_items(session, context.course_id)}
        item = items[context.course_id].get(post.item_id)
        if item is None:
            post.state, post.last_error = FAILED, "the item is no longer in the course"
            continue
        line_item = session.scalar(
            select(LtiLineItem.url).where(
                LtiLineItem.context_pk == context.id, LtiLineItem.item_id == post.item_id
            )
        )
        jobs.append(
            PostJob(
                id=post.id,
                context_pk=context.id,
                issuer=context.issuer,
                lineitems_url=context.lineitems_url or "",
                line_item_url=line_item,
                course_id=context.course_id,
                item=item,
                body=score_body(post),
            )
        )
    return jobs


def score_body(post: LtiScorePost) -> dict[str, Any]:
    """The AGS score of a post (``application/vnd.ims.lis.v1.score+json``)."""
    body: dict[str, Any] = {
        "userId": post.subject,
        "scoreMaximum": post.score_maximum,
        "activityProgress": post.activity_progress,
        "gradingProgress": post.grading_progress,
        "timestamp": post.created_at.isoformat(),
    }
    if post.score_given is not None:
        body["scoreGiven"] = post.score_given
    return body


def record_line_item(session: Session, context_pk: int, item_id: str, url: str) -> str:
    """Keep the platform's line item of the item (found or created); the URL kept (a line item
    recorded meanwhile by another sender wins)."""
    known = session.scalar(
        select(LtiLineItem.url).where(
            LtiLineItem.context_pk == context_pk, LtiLineItem.item_id == item_id
        )
    )
    if known:
        return known
    session.add(LtiLineItem(context_pk=context_pk, item_id=item_id, url=url))
    session.flush()
    return url


def post_sent(session: Session, post_id: int, status_code: int) -> None:
    post = session.get(LtiScorePost, post_id)
    post.state, post.status_code, post.sent_at = SENT, status_code, utcnow()
    post.attempts += 1
    post.last_error = None


def post_failed(
    session: Session,
    post_id: int,
    error: str,
    status_code: int | None,
    max_attempts: int,
    base_seconds: float,
) -> LtiScorePost:
    """A failed try: tried again after ``base_seconds * 2**attempts``, given up at last."""
    post = session.get(LtiScorePost, post_id)
    post.attempts += 1
    post.last_error, post.status_code = error[-1000:], status_code
    if post.attempts >= max_attempts or status_code in (400, 403, 404, 422):
        post.state = FAILED
    else:
        post.next_try_at = utcnow() + timedelta(seconds=base_seconds * 2 ** (post.attempts - 1))
    return post


def score_posts(session: Session, course_id: str) -> list[dict[str, Any]]:
    """The audit of the course's score posts, newest first (the sync command prints it)."""
    rows = session.execute(
        select(LtiScorePost, LtiContext)
        .join(LtiContext, LtiContext.id == LtiScorePost.context_pk)
        .where(LtiContext.course_id == course_id)
        .order_by(LtiScorePost.id.desc())
    ).all()
    return [
        {
            "id": p.id,
            "lms_course": c.context_id,
            "item": p.item_id,
            "username": p.username,
            "score": p.score_given,
            "maximum": p.score_maximum,
            "grading": p.grading_progress,
            "reason": p.reason,
            "state": p.state,
            "attempts": p.attempts,
            "status": p.status_code,
            "error": p.last_error,
        }
        for p, c in rows
    ]
