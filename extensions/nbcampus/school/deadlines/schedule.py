"""Due dates and late policy, on the server clock.

Resolution, most specific first (the edx-when model): a learner's extension, then an override for
their cohort, then the course file's default (offset from the cohort's start, or from the learner's
own start in a self-paced course). Every override records who granted it, when and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import dated_items, module_offsets
from nbcampus.school.core.api import CampusError, DeadlineExtended, NotFound, publish, utcnow
from nbcampus.school.deadlines.models import DeadlineOverride
from nbcampus.school.enrolment.api import Enrolment


@dataclass(frozen=True)
class Deadline:
    """When one assignment (or quiz) is due for one learner, and why."""

    item_id: str
    due_at: datetime
    source: str  # "course", "cohort" or "extension"
    granted_by: str | None = None
    reason: str | None = None
    late_policy: dict[str, Any] | None = None

    def status(self, at: datetime | None = None) -> LateStatus:
        """Where ``at`` (default: now, server clock) falls in this item's late policy."""
        return late_status(self.late_policy, self.due_at, at or utcnow())

    def as_json(self) -> dict[str, Any]:
        # the stage now and the policy, so that a client shows the service's rule, not its own
        return {
            "id": self.item_id,
            "due_at": self.due_at.isoformat(),
            "source": self.source,
            "granted_by": self.granted_by,
            "reason": self.reason,
            "late_policy": self.late_policy,
            "stage": self.status().stage,
        }


@dataclass(frozen=True)
class LateStatus:
    """Where a time falls in an assignment's late policy."""

    stage: str  # "on-time", "grace", "late", "closed"
    credit_percent: float
    accepted: bool
    closes_at: datetime | None


def course_items(course_data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Assignments and quizzes with a due offset, by id, each with its effective late policy."""
    return dated_items(course_data)


def learner_start(enrolment: Enrolment) -> datetime:
    """Where a learner's course file dates count from: their cohort's start, or their own in a
    self-paced course."""
    cohort = enrolment.cohort
    if cohort is not None and cohort.starts_at is not None:
        return cohort.starts_at
    return enrolment.personal_start


def default_due(
    course_data: dict[str, Any], enrolment: Enrolment, item: dict[str, Any]
) -> datetime:
    return learner_start(enrolment) + timedelta(days=item["due_offset_days"])


def module_openings(course_data: dict[str, Any], enrolment: Enrolment) -> dict[str, datetime]:
    """When each module opens for this learner (by module id): its week, from their start."""
    start = learner_start(enrolment)
    return {module_id: start + offset for module_id, offset in module_offsets(course_data).items()}


def resolve_deadlines(
    session: Session, course_data: dict[str, Any], enrolment: Enrolment
) -> dict[str, Deadline]:
    """Every dated item of the course for this learner."""
    overrides = session.scalars(
        select(DeadlineOverride)
        .where(
            DeadlineOverride.course_id == enrolment.course_id,
            or_(
                DeadlineOverride.username == enrolment.username,
                DeadlineOverride.cohort_id == enrolment.cohort_id,
            ),
        )
        .order_by(DeadlineOverride.granted_at, DeadlineOverride.id)
    )
    return _resolve(course_items(course_data), course_data, enrolment, list(overrides))


def resolve_course_deadlines(
    session: Session, course_data: dict[str, Any], enrolments: list[Enrolment]
) -> dict[str, dict[str, Deadline]]:
    """:func:`resolve_deadlines` for many learners of one course (by username), with one query
    for the course's overrides instead of one per learner."""
    overrides = list(
        session.scalars(
            select(DeadlineOverride)
            .where(DeadlineOverride.course_id == course_data["id"])
            .order_by(DeadlineOverride.granted_at, DeadlineOverride.id)
        )
    )
    by_user: dict[str, list[DeadlineOverride]] = {}
    by_cohort: dict[int, list[DeadlineOverride]] = {}
    for override in overrides:
        if override.username is not None:
            by_user.setdefault(override.username, []).append(override)
        else:
            by_cohort.setdefault(override.cohort_id, []).append(override)
    items = course_items(course_data)
    resolved = {}
    for enrolment in enrolments:
        mine = by_user.get(enrolment.username, []) + by_cohort.get(enrolment.cohort_id, [])
        mine.sort(key=lambda o: (o.granted_at, o.id))
        resolved[enrolment.username] = _resolve(items, course_data, enrolment, mine)
    return resolved


def _resolve(
    items: dict[str, dict[str, Any]],
    course_data: dict[str, Any],
    enrolment: Enrolment,
    overrides: list[DeadlineOverride],
) -> dict[str, Deadline]:
    """The rule: the learner's extension, else their cohort's override, else the course file;
    ``overrides`` are the learner's and their cohort's, oldest grant first."""
    by_item: dict[str, dict[str, DeadlineOverride]] = {}
    for override in overrides:  # later grants replace earlier ones
        kind = "extension" if override.username is not None else "cohort"
        by_item.setdefault(override.assignment_id, {})[kind] = override
    deadlines = {}
    for item_id, item in items.items():
        chosen = by_item.get(item_id, {})
        override = chosen.get("extension") or chosen.get("cohort")
        if override is not None:
            source = "extension" if override.username is not None else "cohort"
            deadlines[item_id] = Deadline(
                item_id,
                override.due_at,
                source,
                override.granted_by,
                override.reason,
                item["late_policy"],
            )
        else:
            deadlines[item_id] = Deadline(
                item_id,
                default_due(course_data, enrolment, item),
                "course",
                late_policy=item["late_policy"],
            )
    return deadlines


def grant_override(
    session: Session,
    course_data: dict[str, Any],
    item_id: str,
    due_at: datetime,
    *,
    granted_by: str,
    reason: str,
    username: str | None = None,
    cohort_id: int | None = None,
) -> DeadlineOverride:
    """Record a new due date for a learner (extension) or a cohort."""
    if item_id not in course_items(course_data):
        raise NotFound(f"{course_data['id']} has no dated assignment or quiz {item_id!r}")
    if (username is None) == (cohort_id is None):
        raise CampusError("give either a learner or a cohort")
    if not reason.strip():
        raise CampusError("say why the deadline changes (reason)")
    if due_at.tzinfo is None:
        raise CampusError("due_at needs a time zone, e.g. 2027-03-01T17:00:00+00:00")
    override = DeadlineOverride(
        course_id=course_data["id"],
        assignment_id=item_id,
        username=username,
        cohort_id=cohort_id,
        due_at=due_at,
        granted_by=granted_by,
        granted_at=utcnow(),
        reason=reason.strip(),
    )
    session.add(override)
    session.flush()
    if username is not None:  # a cohort's new date reaches its learners through their lists
        publish(
            session, DeadlineExtended(override.course_id, username, item_id=item_id, due_at=due_at)
        )
    return override


def late_status(policy: dict[str, Any] | None, due_at: datetime, at: datetime) -> LateStatus:
    """Credit for work received at ``at`` (server clock) against ``due_at``.

    Within the grace period it is on time. After it, the last credit step whose ``after_days`` has
    passed applies (full credit before the first one); after ``hard_close_days`` nothing is accepted. Without a policy late work is
    accepted at full credit and flagged late.
    """
    policy = policy or {}
    close_days = policy.get("hard_close_days")
    closes_at = due_at + timedelta(days=close_days) if close_days is not None else None
    if closes_at is not None and at > closes_at:
        return LateStatus("closed", 0.0, False, closes_at)
    if at <= due_at:
        return LateStatus("on-time", 100.0, True, closes_at)
    if at <= due_at + timedelta(minutes=policy.get("grace_minutes", 0)):
        return LateStatus("grace", 100.0, True, closes_at)
    percent = 100.0
    for step in policy.get("credit", []):
        if at > due_at + timedelta(days=step["after_days"]):
            percent = float(step["percent"])
    return LateStatus("late", percent, True, closes_at)
