"""Who a launch is and what it gives them: the account of a platform's user, their role in the
LMS course, the link of that LMS course to an nbcampus course and cohort, and the enrolment."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import find_cohort, get_course
from nbcampus.school.core.api import Conflict, Forbidden, audit, utcnow
from nbcampus.school.enrolment.api import Learner, enrol, move
from nbcampus.school.lti.launch import AGS_CLAIM, NRPS_CLAIM, Launch, LaunchRefused
from nbcampus.school.lti.models import LtiAccount, LtiContext, LtiMember

LEARNER, INSTRUCTOR, TA = "learner", "instructor", "ta"
_MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"


def role_of(roles: list[str]) -> str:
    """The nbcampus role of LTI ``roles``: TeachingAssistant, Instructor, else Learner.

    A TA is a sub-role of Instructor (``membership/Instructor#TeachingAssistant``), so it is
    read first; the short forms of LTI 1.1 (``Instructor``) are accepted too.
    """
    short = {r.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for r in roles}
    if "TeachingAssistant" in short:
        return TA
    if any(r in (f"{_MEMBERSHIP}#Instructor", "Instructor") for r in roles):
        return INSTRUCTOR
    return LEARNER


def staff_group(role: str, course_id: str) -> str:
    """The hub group whose members the hub's roles make instructor or TA of ``course_id``."""
    return f"nbcampus-lti-{role}-{course_id}"


def account_of(session: Session, launch: Launch) -> str:
    """The hub username of the launch's user, made at their first launch.

    Named ``<prefix>-<digest of issuer and subject>``: never a name a platform could choose
    (``admin``), the same at every launch, different for two platforms' users.
    """
    issuer, subject = launch.platform.issuer, launch.subject
    account = session.scalar(
        select(LtiAccount).where(LtiAccount.issuer == issuer, LtiAccount.subject == subject)
    )
    name = str(launch.claims.get("name") or "")[:255]
    email = launch.claims.get("email") or None
    if account is None:
        digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:12]
        account = LtiAccount(
            issuer=issuer,
            subject=subject,
            username=f"{launch.platform.username_prefix}-{digest}",
            name=name,
            email=email,
        )
        session.add(account)
        session.flush()
        audit(session, f"lti:{launch.platform.name}", "lti.account", None, account.username)
    else:
        account.name, account.email = name or account.name, email or account.email
    return account.username


def context_of(session: Session, launch: Launch) -> LtiContext | None:
    """The nbcampus course linked to the launch's LMS course: the admin's mapping first, then a
    link made by an instructor; None when the LMS course is not linked yet."""
    context_id = launch.context.get("id")
    if not context_id:
        raise LaunchRefused("the launch names no LMS course (context id)", status=400)
    row = session.scalar(
        select(LtiContext).where(
            LtiContext.issuer == launch.platform.issuer,
            LtiContext.deployment_id == launch.deployment_id,
            LtiContext.context_id == context_id,
        )
    )
    mapping = launch.platform.contexts.get(context_id)
    if mapping is not None:
        row = _linked(session, launch, row, mapping["course"], mapping.get("cohort"), "settings")
    elif row is not None:
        _remember_services(row, launch)
    return row


def link(
    session: Session, launch: Launch, course_id: str, cohort: str | None, username: str
) -> LtiContext:
    """An instructor links the launch's LMS course to ``course_id`` (and ``cohort``).

    Only to the courses the platform's settings allow (else any LMS instructor could make
    themselves instructor of any course of the school). Linking again keeps the row, so its
    line items are kept too: no second gradebook column."""
    if role_of(launch.roles) != INSTRUCTOR:
        raise Forbidden("only the LMS course's instructor links it to a course")
    if course_id not in launch.platform.courses:
        raise Forbidden(
            f"{launch.platform.name} may not link its courses to {course_id!r}: the school's "
            "admin lists the courses each platform may link (platforms file, 'courses')"
        )
    get_course(session, course_id)
    if cohort:
        find_cohort(session, course_id, cohort)
    row = context_of(session, launch)
    return _linked(session, launch, row, course_id, cohort or None, username)


def _linked(
    session: Session,
    launch: Launch,
    row: LtiContext | None,
    course_id: str,
    cohort: str | None,
    actor: str,
) -> LtiContext:
    if row is None:
        row = LtiContext(
            issuer=launch.platform.issuer,
            deployment_id=launch.deployment_id,
            context_id=launch.context["id"],
            course_id=course_id,
            cohort=cohort,
            linked_by=actor,
            linked_at=utcnow(),
        )
        session.add(row)
    changed = (row.course_id, row.cohort) != (course_id, cohort) or row.id is None
    row.course_id, row.cohort = course_id, cohort
    row.title = str(launch.context.get("title") or launch.context.get("label") or "")[:255]
    _remember_services(row, launch)
    session.flush()
    if changed:
        row.linked_by, row.linked_at = actor, utcnow()
        audit(
            session,
            actor,
            "lti.linked",
            course_id,
            None,
            f"LMS course {row.context_id} of {launch.platform.name}",
            cohort=cohort,
        )
    return row


def _remember_services(row: LtiContext, launch: Launch) -> None:
    """The AGS and NRPS endpoints of the LMS course, as its latest launch gives them."""
    row.lineitems_url = launch.claims.get(AGS_CLAIM, {}).get("lineitems") or row.lineitems_url
    row.memberships_url = (
        launch.claims.get(NRPS_CLAIM, {}).get("context_memberships_url") or row.memberships_url
    )


def admit(session: Session, launch: Launch, context: LtiContext, username: str) -> str:
    """Record the member and, for a learner, enrol them in the linked course and cohort through
    the enrolment rules (the LMS course admits them; a seat cap still holds). Returns the role."""
    role = role_of(launch.roles)
    remember_member(session, context, username, launch.subject, role)
    if role == LEARNER:
        enrol_member(session, context, username, f"lti:{launch.platform.name}")
    return role


def remember_member(
    session: Session, context: LtiContext, username: str, subject: str, role: str
) -> LtiMember:
    member = session.scalar(
        select(LtiMember).where(LtiMember.context_pk == context.id, LtiMember.username == username)
    )
    if member is None:
        member = LtiMember(context_pk=context.id, username=username, subject=subject)
        session.add(member)
    member.role, member.active, member.seen_at = role, True, utcnow()
    session.flush()
    return member


def enrol_member(session: Session, context: LtiContext, username: str, actor: str) -> None:
    """Enrol ``username`` in the context's course, in its cohort when the link names one."""
    reason = f"LMS course {context.context_id}"
    try:
        enrolment = enrol(
            session, context.course_id, Learner(username), actor=actor, admit=True, reason=reason
        )
    except Conflict as e:
        raise LaunchRefused(f"You cannot join this course now: {e.message}.", status=409) from None
    if context.cohort and enrolment.cohort.name != context.cohort:
        move(session, context.course_id, username, context.cohort, actor=actor, reason=reason)


def resource_link_of(launch: Launch) -> dict[str, str]:
    """What the resource link opens (deep linking's custom parameters): course, item kind, id."""
    custom = launch.custom
    return {k: str(custom[k]) for k in ("course", "kind", "item") if custom.get(k)}
