"""Names and Roles Provisioning: the LMS course's roster becomes the SPOC's roster. Learners on
it are enrolled (seat cap applies); learners who left it are unenrolled, with an audit entry."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import get_course
from nbcampus.school.core.api import CampusError, audit
from nbcampus.school.enrolment.api import is_enrolled, unenrol
from nbcampus.school.lti.links import LEARNER, enrol_member, remember_member, role_of
from nbcampus.school.lti.models import LtiAccount, LtiContext, LtiMember
from nbcampus.school.lti.platforms import Platform


@dataclass
class RosterSync:
    """What one roster sync did."""

    enrolled: list[str] = field(default_factory=list)
    unenrolled: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)


def account_for_member(session: Session, platform: Platform, member: dict[str, Any]) -> str:
    """The hub username of a roster member (made as a launch would make it)."""
    subject = str(member["user_id"])
    account = session.scalar(
        select(LtiAccount).where(
            LtiAccount.issuer == platform.issuer, LtiAccount.subject == subject
        )
    )
    if account is None:
        digest = hashlib.sha256(f"{platform.issuer}\n{subject}".encode()).hexdigest()[:12]
        account = LtiAccount(
            issuer=platform.issuer,
            subject=subject,
            username=f"{platform.username_prefix}-{digest}",
            name=str(member.get("name") or "")[:255],
            email=member.get("email") or None,
        )
        session.add(account)
        session.flush()
    return account.username


def apply_roster(
    session: Session, platform: Platform, context: LtiContext, members: list[dict[str, Any]]
) -> RosterSync:
    """Make the SPOC's LTI learners those of the LMS roster ``members`` (NRPS members)."""
    course = get_course(session, context.course_id)
    if course.data.get("format") != "spoc":
        raise CampusError(
            f"{course.title} is not a SPOC: only SPOCs take their roster from the LMS", status=409
        )
    actor = f"lti:{platform.name}"
    result = RosterSync()
    present: set[str] = set()
    for member in members:
        if (
            member.get("status", "Active") != "Active"
            or role_of(member.get("roles", [])) != LEARNER
        ):
            continue
        username = account_for_member(session, platform, member)
        present.add(username)
        remember_member(session, context, username, str(member["user_id"]), LEARNER)
        if is_enrolled(session, context.course_id, username):
            continue
        try:
            enrol_member(session, context, username, actor)
        except CampusError as e:
            result.refused[username] = e.message
            continue
        result.enrolled.append(username)
    leavers = session.scalars(
        select(LtiMember).where(
            LtiMember.context_pk == context.id,
            LtiMember.role == LEARNER,
            LtiMember.active.is_(True),
        )
    ).all()
    for member in leavers:
        # an empty roster is more likely a platform's fault than a course everyone left
        if not present or member.username in present:
            continue
        member.active = False
        if is_enrolled(session, context.course_id, member.username):
            unenrol(
                session,
                context.course_id,
                member.username,
                actor=actor,
                reason=f"left the LMS course {context.context_id}",
            )
            result.unenrolled.append(member.username)
    audit(
        session,
        actor,
        "lti.roster",
        context.course_id,
        None,
        f"roster of LMS course {context.context_id}",
        enrolled=result.enrolled,
        unenrolled=result.unenrolled,
        refused=result.refused,
    )
    return result
