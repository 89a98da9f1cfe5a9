"""Enrolment rules of the four course formats, enforced on the server.

- MOOC and SOOC: open to anyone; a SOOC has a small seat cap.
- COOC: members of the organisation only (email domain, hub group, or a named partner's group).
- SPOC: an invite code or a place on the roster, and a seat cap.
Seat caps hold under concurrency: the course row is locked (PostgreSQL ``FOR UPDATE``; SQLite
write transactions begin IMMEDIATE) while seats are counted and taken.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import (
    SELF_PACED,
    Cohort,
    CourseRecord,
    get_course,
    run_closes_at,
)
from nbcampus.school.core import api as events
from nbcampus.school.core.api import Conflict, Forbidden, NotFound, audit, utcnow
from nbcampus.school.enrolment.models import (
    AUDIT_TRACK,
    ENROLLED,
    UNENROLLED,
    VERIFIED_TRACK,
    WAITLISTED,
    Enrolment,
    RosterEntry,
)
from nbcampus.school.enrolment.roll import active_enrolment, seats_taken


@dataclass(frozen=True)
class Learner:
    """Who asks to enrol, as the hub knows them."""

    username: str
    groups: frozenset[str] = field(default_factory=frozenset)
    #: a verified address only (the hub's claim, or one the learner confirmed): a username that
    #: looks like an address proves nothing
    email: str | None = None

    @property
    def email_domain(self) -> str | None:
        return self.email.rsplit("@", 1)[1].lower() if self.email and "@" in self.email else None


def check_admission(
    session: Session, course: CourseRecord, learner: Learner, code: str | None
) -> None:
    """Raise Forbidden unless the course's enrolment rule admits ``learner``."""
    rule = course.data["enrolment"]
    if rule["rule"] == "organisation":
        org = rule.get("organisation", {})
        domains = {d.lower() for d in org.get("email_domains", [])}
        groups = set(org.get("hub_groups", [])) | set(org.get("partners", []))
        if not (learner.email_domain in domains or learner.groups & groups):
            raise Forbidden(
                f"{course.title} is open to {org.get('name', 'its organisation')} and its partners only: "
                "confirm an address of your organisation in your notification preferences, sign "
                "in with your organisation's account, or ask your training manager to add you"
            )
    elif rule["rule"] == "invite":
        if code:
            if any(
                hmac.compare_digest(code.encode(), c.encode()) for c in rule.get("invite_codes", [])
            ):
                return
            raise Forbidden(f"the invite code for {course.title} is not valid")
        on_roster = session.scalar(
            select(RosterEntry.id).where(
                RosterEntry.course_id == course.id, RosterEntry.username == learner.username
            )
        )
        if on_roster is None:
            raise Forbidden(f"{course.title} is by invitation: enter your invite code")


def current_cohort(session: Session, course: CourseRecord, now: datetime) -> Cohort:
    """The cohort new learners join: the self-paced one, or the run not yet ended that starts first."""
    cohorts = list(session.scalars(select(Cohort).where(Cohort.course_id == course.id)))
    for cohort in cohorts:
        if cohort.name == SELF_PACED:
            return cohort
    not_ended = sorted(
        (c for c in cohorts if c.ends_at and c.ends_at > now), key=lambda c: c.starts_at
    )
    # a run that has not ended may still have closed every exercise and quiz: a learner
    # admitted to it could submit nothing (server clock, the course file's dates)
    closes = {c.id: run_closes_at(course.data, c.starts_at) for c in not_ended}
    open_runs = [c for c in not_ended if closes[c.id] is None or closes[c.id] > now]
    if open_runs:
        return open_runs[0]
    if not_ended:
        run = not_ended[-1]
        raise Conflict(
            f"run {run.name} of {course.title} closed on {closes[run.id]:%Y-%m-%d}: every "
            "exercise and quiz of it is past its final deadline, so there is nothing left to "
            "submit; no run is open for enrolment"
        )
    raise Conflict(f"{course.title} has no run open for enrolment")


def has_verified_track(course_data: dict) -> bool:
    """Whether the course file offers the verified track (the certificate's)."""
    return bool(course_data.get("tracks", {}).get("verified", False))


def first_track(course: CourseRecord) -> str:
    """The track a new learner starts on: audit when the course has one, else verified (a SPOC
    or COOC whose course file says ``audit: false``)."""
    tracks = course.data.get("tracks", {})
    if not tracks.get("audit", True) and tracks.get("verified", False):
        return VERIFIED_TRACK
    return AUDIT_TRACK


def enrol(
    session: Session,
    course_id: str,
    learner: Learner,
    *,
    code: str | None = None,
    actor: str | None = None,
    admit: bool = False,
    reason: str = "",
) -> Enrolment:
    """Enrol ``learner``; return the enrolment (status ``enrolled`` or ``waitlisted``).

    ``admit`` (staff enrolling someone) skips the admission rule but never the seat cap.
    Raises Forbidden when the rule refuses, Conflict when the course is full without a waitlist.
    """
    actor = actor or learner.username
    now = utcnow()
    course = get_course(session, course_id, lock=True)
    existing = session.scalar(
        select(Enrolment).where(
            Enrolment.course_id == course_id, Enrolment.username == learner.username
        )
    )
    if existing is not None and existing.status in (ENROLLED, WAITLISTED):
        return existing
    if not admit:
        check_admission(session, course, learner, code)
    cohort = current_cohort(session, course, now)
    status = ENROLLED
    if course.seat_cap is not None and seats_taken(session, course_id) >= course.seat_cap:
        if not course.waitlist:
            raise Conflict(
                f"{course.title} is full ({course.seat_cap} seats) and has no waiting list"
            )
        status = WAITLISTED
    if existing is None:
        existing = Enrolment(
            course_id=course_id,
            username=learner.username,
            track=first_track(course),
            personal_start=now,
            enrolled_at=now,
        )
        session.add(existing)
    existing.status = status
    existing.cohort_id = cohort.id
    session.flush()
    audit(
        session,
        actor,
        f"enrolment.{status}",
        course_id,
        learner.username,
        reason,
        cohort=cohort.name,
    )
    return existing


def find_enrolment(
    session: Session, course_id: str, username: str, *, active: bool = False
) -> Enrolment:
    """The learner's enrolment row (any status), or only an active one with ``active``.

    Raises NotFound, or Forbidden with ``active`` (the learner may not act in that course).
    """
    if active:
        enrolment = active_enrolment(session, course_id, username)
    else:
        enrolment = session.scalar(
            select(Enrolment).where(
                Enrolment.course_id == course_id, Enrolment.username == username
            )
        )
    if enrolment is None:
        error = Forbidden if active else NotFound
        raise error(f"{username} is not enrolled in {course_id}")
    return enrolment


def unenrol(
    session: Session, course_id: str, username: str, *, actor: str, reason: str = ""
) -> Enrolment:
    """Unenrol; the first waitlisted learner takes the freed seat."""
    course = get_course(session, course_id, lock=True)
    enrolment = find_enrolment(session, course_id, username)
    was = enrolment.status
    enrolment.status = UNENROLLED
    audit(session, actor, "enrolment.unenrolled", course_id, username, reason, was=was)
    if was == ENROLLED and course.seat_cap is not None:
        session.flush()
        nxt = session.scalar(
            select(Enrolment)
            .where(Enrolment.course_id == course_id, Enrolment.status == WAITLISTED)
            .order_by(Enrolment.updated_at, Enrolment.id)
            .limit(1)
        )
        if nxt is not None and seats_taken(session, course_id) < course.seat_cap:
            nxt.status = ENROLLED
            nxt.personal_start = utcnow()
            audit(
                session, "system", "enrolment.promoted", course_id, nxt.username, "a seat was freed"
            )
    return enrolment


def move(
    session: Session, course_id: str, username: str, cohort_name: str, *, actor: str, reason: str
) -> Enrolment:
    """Move a learner to another cohort of the same course."""
    get_course(session, course_id)
    enrolment = find_enrolment(session, course_id, username)
    cohort = session.scalar(
        select(Cohort).where(Cohort.course_id == course_id, Cohort.name == cohort_name)
    )
    if cohort is None:
        raise NotFound(f"{course_id} has no cohort {cohort_name!r}")
    before = enrolment.cohort.name if enrolment.cohort else None
    enrolment.cohort_id = cohort.id
    audit(
        session,
        actor,
        "enrolment.moved",
        course_id,
        username,
        reason,
        **{"from": before, "to": cohort_name},
    )
    return enrolment


def set_track(
    session: Session, course_id: str, username: str, track: str, *, actor: str, reason: str
) -> Enrolment:
    """Put a learner on the audit or the verified track (no payment handled here)."""
    if track not in (AUDIT_TRACK, VERIFIED_TRACK):
        raise Conflict(f"track must be {AUDIT_TRACK!r} or {VERIFIED_TRACK!r}", status=400)
    course = get_course(session, course_id)
    if track == VERIFIED_TRACK and not has_verified_track(course.data):
        raise Conflict(f"{course.title} has no verified track")
    enrolment = find_enrolment(session, course_id, username)
    before = enrolment.track
    enrolment.track = track
    audit(
        session,
        actor,
        "enrolment.track",
        course_id,
        username,
        reason,
        **{"from": before, "to": track},
    )
    if track != before:
        # a verified-only certificate may have waited for this
        events.publish(
            session, events.TrackChanged(course_id=course_id, username=username, track=track)
        )
    return enrolment


def add_to_roster(
    session: Session, course_id: str, usernames: list[str], *, actor: str, reason: str
) -> list[str]:
    """Invite people to a SPOC by name; return the names newly added."""
    course = get_course(session, course_id)
    if course.data["enrolment"]["rule"] != "invite":
        raise Conflict(f"{course.title} does not enrol by invitation", status=400)
    known = set(
        session.scalars(select(RosterEntry.username).where(RosterEntry.course_id == course_id))
    )
    added = sorted(set(usernames) - known)
    for name in added:
        session.add(RosterEntry(course_id=course_id, username=name, added_by=actor))
    audit(session, actor, "roster.added", course_id, None, reason, usernames=added)
    return added
