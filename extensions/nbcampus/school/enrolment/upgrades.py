"""Upgrading to the verified track from the learner's side (the paid certificate of a MOOC).

Staff make voucher codes for a course (to sell or give out); a learner on the audit track
redeems one, which makes their upgrade ``awaiting verification``; staff check their identity
and approve (the track becomes verified, through ``set_track``) or refuse with a reason. A
code is spent once, by one learner, even when two redeem it at the same moment (a conditional
UPDATE). A payment provider plugs in where a voucher is redeemed: a paid checkout is a spent
voucher.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import get_course
from nbcampus.school.core.api import CampusError, Conflict, NotFound, audit
from nbcampus.school.enrolment.enrolments import find_enrolment, has_verified_track, set_track
from nbcampus.school.enrolment.models import (
    AWAITING,
    REFUSED,
    VERIFIED,
    VERIFIED_TRACK,
    Upgrade,
    Voucher,
)

#: codes made at once, at most
MAX_VOUCHERS = 500
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _digest(code: str) -> str:
    """The stored form of a code: case, spaces and dashes do not matter."""
    normal = "".join(c for c in code.upper() if c.isalnum())
    return hashlib.sha256(normal.encode()).hexdigest()


def _new_code() -> str:
    groups = ["".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)  # 80 bits


def _verified_course(session: Session, course_id: str):
    course = get_course(session, course_id)
    if not has_verified_track(course.data):
        raise Conflict(f"{course.title} has no verified track")
    return course


def make_vouchers(
    session: Session, course_id: str, count: int, *, actor: str, note: str = ""
) -> list[str]:
    """``count`` new codes for the course's verified track (audited); the codes themselves are
    returned this once and never stored."""
    _verified_course(session, course_id)
    if not 1 <= count <= MAX_VOUCHERS:
        raise CampusError(f"count: make 1 to {MAX_VOUCHERS} vouchers at a time, not {count}")
    codes = [_new_code() for _ in range(count)]
    for code in codes:
        session.add(
            Voucher(course_id=course_id, code_hash=_digest(code), note=note, created_by=actor)
        )
    audit(session, actor, "voucher.create", course_id, None, note or "vouchers", count=count)
    return codes


def upgrade_view(upgrade: Upgrade | None) -> dict[str, Any] | None:
    if upgrade is None:
        return None
    return {
        "username": upgrade.username,
        "state": upgrade.state,
        "requested_at": upgrade.requested_at.isoformat(),
        "decided_at": upgrade.decided_at.isoformat() if upgrade.decided_at else None,
        "reason": upgrade.reason,
    }


def my_upgrade(session: Session, course_id: str, username: str) -> Upgrade | None:
    return session.scalar(
        select(Upgrade).where(Upgrade.course_id == course_id, Upgrade.username == username)
    )


def redeem(session: Session, course_id: str, username: str, code: str, now: datetime) -> Upgrade:
    """Spend a voucher of this course: the learner's upgrade awaits identity verification."""
    _verified_course(session, course_id)
    enrolment = find_enrolment(session, course_id, username, active=True)
    if enrolment.track == VERIFIED_TRACK:
        raise Conflict("you are already on the verified track")
    upgrade = my_upgrade(session, course_id, username)
    if upgrade is not None and upgrade.state == AWAITING:
        raise Conflict("your upgrade is already paid and awaiting identity verification")
    voucher = session.scalar(
        select(Voucher).where(Voucher.code_hash == _digest(code), Voucher.course_id == course_id)
    )
    spent = (
        voucher is not None
        and session.execute(
            update(Voucher)
            .where(Voucher.id == voucher.id, Voucher.redeemed_by.is_(None))
            .values(redeemed_by=username, redeemed_at=now)
        ).rowcount
        == 1
    )
    if not spent:
        # the same answer for an unknown and a used code: nothing to learn by guessing
        raise CampusError("code: this is not an unused upgrade code of this course", status=400)
    if upgrade is None:
        upgrade = Upgrade(course_id=course_id, username=username)
        session.add(upgrade)
    upgrade.state, upgrade.voucher_id, upgrade.requested_at = AWAITING, voucher.id, now
    upgrade.decided_by = upgrade.decided_at = upgrade.reason = None
    audit(session, username, "upgrade.paid", course_id, username, "voucher", voucher=voucher.id)
    session.flush()
    return upgrade


def awaiting(session: Session, course_id: str) -> list[Upgrade]:
    """Upgrades waiting for staff to verify the learner's identity, oldest first."""
    return list(
        session.scalars(
            select(Upgrade)
            .where(Upgrade.course_id == course_id, Upgrade.state == AWAITING)
            .order_by(Upgrade.requested_at, Upgrade.id)
        )
    )


def decide(
    session: Session,
    course_id: str,
    username: str,
    approve: bool,
    *,
    actor: str,
    reason: str,
    now: datetime,
) -> Upgrade:
    """Staff verified the learner's identity (the track becomes verified) or refuse, saying
    why; audited. A refused upgrade may be approved later (new papers)."""
    if not reason.strip():
        raise CampusError("reason: say how the identity was checked, or why it is refused")
    upgrade = my_upgrade(session, course_id, username)
    if upgrade is None or upgrade.state == VERIFIED:
        raise NotFound(f"{username} has no upgrade awaiting verification in {course_id}")
    if approve:
        set_track(session, course_id, username, VERIFIED_TRACK, actor=actor, reason=reason)
    upgrade.state = VERIFIED if approve else REFUSED
    upgrade.decided_by, upgrade.decided_at, upgrade.reason = actor, now, reason.strip()
    audit(
        session,
        actor,
        "upgrade.verified" if approve else "upgrade.refused",
        course_id,
        username,
        reason.strip(),
    )
    session.flush()
    return upgrade
