"""A learner's preferences: per course and kind, shown in the lab and sent by mail (both on
unless turned off); single mails or a daily or weekly digest; their address."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import get_course
from nbcampus.school.core.api import CampusError
from nbcampus.school.enrolment.api import enrolments_of
from nbcampus.school.notifications.models import DIGESTS, KINDS, SINGLE, MailProfile, Preference

#: a plausible address (the mail server has the last word); no spaces, no line breaks
ADDRESS = re.compile(r"^[^@\s<>,;\"']{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$")
HUB, PROFILE = "hub", "profile"


def wants(session: Session, username: str, course_id: str | None, kind: str) -> tuple[bool, bool]:
    """(in the lab, by mail) for this learner, course and kind: on unless turned off."""
    if course_id is None:
        return True, True
    row = session.scalar(
        select(Preference).where(
            Preference.username == username,
            Preference.course_id == course_id,
            Preference.kind == kind,
        )
    )
    return (True, True) if row is None else (row.lab, row.email)


def course_choices(session: Session, course_id: str, kind: str) -> dict[str, tuple[bool, bool]]:
    """(lab, mail) of every learner who changed their choice of ``kind`` in the course (the
    others: both on), for telling many learners at once."""
    rows = session.execute(
        select(Preference.username, Preference.lab, Preference.email).where(
            Preference.course_id == course_id, Preference.kind == kind
        )
    )
    return {r.username: (r.lab, r.email) for r in rows}


def profile(session: Session, username: str, create: bool = False) -> MailProfile | None:
    row = session.get(MailProfile, username)
    if row is None and create:
        row = MailProfile(username=username, digest=SINGLE)
        session.add(row)
    return row


def address(session: Session, username: str) -> str | None:
    """Where the learner's mail goes: their verified address, or None (no address, or one
    not confirmed yet: only its confirmation mail goes there, so nobody can make the school
    mail someone else)."""
    return verified_address(session, username)


def verified(row: MailProfile | None) -> bool:
    """Whether the learner's address is known to be theirs: the hub's (its authenticator's
    claim, from single sign-on) or one they confirmed from a mail."""
    return bool(row and row.email and (row.email_source == HUB or row.email_verified_at))


def verified_address(session: Session, username: str) -> str | None:
    """The learner's address when it is verified (admission by e-mail domain reads this)."""
    row = profile(session, username)
    return row.email if verified(row) else None


def check_address(email: str) -> str:
    email = email.strip()
    if not ADDRESS.match(email):
        raise CampusError(f"email: {email!r} is not an e-mail address", status=422)
    return email


def record_hub_address(session: Session, username: str, email: str | None) -> bool:
    """The hub's address of the learner (from its authenticator) replaces their own; whether
    anything changed."""
    if not email or not ADDRESS.match(email.strip()):
        return False
    row = profile(session, username, create=True)
    if row.email == email.strip() and row.email_source == HUB:
        return False
    row.email, row.email_source = email.strip(), HUB
    return True


def set_preference(
    session: Session,
    username: str,
    course_id: str,
    kind: str,
    *,
    lab: bool | None = None,
    email: bool | None = None,
) -> None:
    if kind not in KINDS:
        raise CampusError(f"kind: {kind!r} is not one of {', '.join(KINDS)}", status=422)
    row = session.scalar(
        select(Preference).where(
            Preference.username == username,
            Preference.course_id == course_id,
            Preference.kind == kind,
        )
    )
    if row is None:
        row = Preference(username=username, course_id=course_id, kind=kind, lab=True, email=True)
        session.add(row)
    if lab is not None:
        row.lab = lab
    if email is not None:
        row.email = email
    session.flush()


def turn_off_email(session: Session, username: str, pairs: list[tuple[str, str]]) -> None:
    """The one-click unsubscribe: no more mail of these (course, kind) pairs."""
    for course_id, kind in pairs:
        set_preference(session, username, course_id, kind, email=False)


def preferences_view(session: Session, username: str) -> dict[str, Any]:
    """Every course the learner is in, with each kind's choice, their digest and address."""
    rows = session.scalars(select(Preference).where(Preference.username == username))
    chosen = {(r.course_id, r.kind): r for r in rows}
    courses = sorted(
        {e.course_id for e in enrolments_of(session, username)} | {c for c, _ in chosen}
    )
    row = profile(session, username)
    return {
        "email": row.email if row else None,
        "email_source": row.email_source if row else None,
        "email_verified": verified(row),
        "digest": row.digest if row else SINGLE,
        "kinds": list(KINDS),
        "courses": {
            course_id: {
                kind: {
                    "lab": chosen[(course_id, kind)].lab if (course_id, kind) in chosen else True,
                    "email": chosen[(course_id, kind)].email
                    if (course_id, kind) in chosen
                    else True,
                }
                for kind in KINDS
            }
            for course_id in courses
        },
    }


def update_preferences(session: Session, username: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply the learner's changes (all or none); their preferences afterwards."""
    if "digest" in changes:
        if changes["digest"] not in DIGESTS:
            raise CampusError(f"digest: must be one of {', '.join(DIGESTS)}", status=422)
        profile(session, username, create=True).digest = changes["digest"]
    if "email" in changes:
        row = profile(session, username, create=True)
        if row.email_source == HUB and changes["email"] != row.email:
            raise CampusError(
                "email: your address comes from your hub account; change it there", status=409
            )
        if changes["email"] is None:
            row.email, row.email_source, row.email_verified_at = None, None, None
        elif check_address(changes["email"]) != row.email:
            # a new address of their own is theirs once they confirm it (verification.py)
            row.email, row.email_source = check_address(changes["email"]), PROFILE
            row.email_verified_at = None
    for course_id, kinds in (changes.get("courses") or {}).items():
        get_course(session, course_id)  # NotFound (404) for no such course
        for kind, choice in kinds.items():
            set_preference(
                session, username, course_id, kind, lab=choice.get("lab"), email=choice.get("email")
            )
    session.flush()
    return preferences_view(session, username)
