"""What staff see of the nudges and how they reach learners themselves: the learners at risk
now (the course file's rules, as the nudge pass reads them) with when each was last nudged,
the nudges given, newest first, and a message to one learner, some, or the whole at-risk list,
delivered as a nudge notification (the learners' preferences for nudges apply) and audited."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nbcampus.course.engagement import nudge_rules
from nbcampus.school.catalog.api import get_course
from nbcampus.school.core.api import CampusError, NotFound, audit
from nbcampus.school.enrolment.api import is_enrolled
from nbcampus.school.notifications.inbox import MAX_BODY, notify_many, one_line, plain
from nbcampus.school.notifications.models import NUDGE, STAFF_MESSAGE, Nudge
from nbcampus.school.notifications.nudges import HOME, at_risk

#: how many nudges the overview lists
RECENT_NUDGES = 200
#: the most learners one message may name
MAX_RECIPIENTS = 5000


def nudge_json(n: Nudge) -> dict[str, Any]:
    return {
        "username": n.username,
        "rule": n.rule,
        "occasion": n.occasion,
        "title": n.title,
        "created_at": n.created_at.isoformat(),
        "sent_by": n.sent_by,
    }


def nudge_overview(session: Session, course_id: str, now: datetime) -> dict[str, Any]:
    """The at-risk list now and the nudges given (newest first), for the course's staff."""
    course = get_course(session, course_id)
    risk = at_risk(session, course, now)
    last = dict(
        session.execute(
            select(Nudge.username, func.max(Nudge.created_at))
            .where(Nudge.course_id == course_id, Nudge.username.in_(list(risk)))
            .group_by(Nudge.username)
        ).all()
    )
    given = session.scalars(
        select(Nudge)
        .where(Nudge.course_id == course_id)
        .order_by(Nudge.created_at.desc(), Nudge.id.desc())
        .limit(RECENT_NUDGES)
    )
    return {
        "course": course_id,
        "rules": nudge_rules(course.data),
        "now": now.isoformat(),
        "at_risk": [
            {
                "username": username,
                "reasons": [
                    {"rule": r.rule, "occasion": r.occasion, "detail": r.sentence} for r in reasons
                ],
                "last_nudged_at": last[username].isoformat() if username in last else None,
            }
            for username, reasons in sorted(risk.items())
        ],
        "nudges": [nudge_json(n) for n in given],
    }


def message_learners(
    session: Session,
    course_id: str,
    staff: str,
    title: str,
    body: str,
    usernames: list[str] | None,
    now: datetime,
) -> dict[str, Any]:
    """Send staff's message to ``usernames`` (None: everyone at risk now) as a nudge; 404
    naming a learner not enrolled in the course."""
    course = get_course(session, course_id)
    title, body = one_line(title), plain(body, MAX_BODY)
    if not title or not body:
        raise CampusError("a message needs a title and a body")
    if usernames is None:
        usernames = sorted(at_risk(session, course, now))
    else:
        usernames = sorted(set(usernames))
        strangers = [u for u in usernames if not is_enrolled(session, course_id, u)]
        if strangers:
            raise NotFound(f"not enrolled in {course_id}: {', '.join(strangers)}")
    if len(usernames) > MAX_RECIPIENTS:
        raise CampusError(f"at most {MAX_RECIPIENTS} learners per message")
    occasion = f"{now.isoformat(timespec='seconds')}/{uuid.uuid4().hex[:12]}"
    for username in usernames:
        session.add(
            Nudge(
                course_id=course_id,
                username=username,
                rule=STAFF_MESSAGE,
                occasion=occasion,
                title=title,
                created_at=now,
                sent_by=staff,
            )
        )
    link = HOME.format(course=course_id)
    told = notify_many(session, NUDGE, course_id, [(u, title, body, link) for u in usernames])
    audit(session, staff, "nudge.message", course_id, reason=title, recipients=len(usernames))
    return {"sent_to": usernames, "told": told}
