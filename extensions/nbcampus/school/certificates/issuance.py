"""Issuing, revoking and re-issuing certificates, staff approval, and the public check.

Numbers count per course and hold under concurrency: the issuer locks the course row
(PostgreSQL ``FOR UPDATE``; SQLite write transactions begin IMMEDIATE, so writers take turns)
before it reads the highest number, and the unique constraint on (course, number) is the
backstop. The partial unique index on (course, learner) where not revoked keeps it at one live
certificate per learner, even when a grade and a quiz attempt make a learner eligible at once.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import Cohort, CourseRecord, get_course
from nbcampus.school.certificates.eligibility import (
    Eligibility,
    evaluate,
    module_rewards,
    module_verdicts,
    rules,
)
from nbcampus.school.certificates.models import CERTIFICATE, Certificate, CertificateApproval
from nbcampus.school.core.api import (
    CampusError,
    CertificateIssued,
    Conflict,
    NotFound,
    audit,
    publish,
    utcnow,
)
from nbcampus.school.enrolment.api import Enrolment, is_enrolled
from nbcampus.school.profiles.api import shown_name, shown_names

log = logging.getLogger("nbcampus.certificates")

AUTO = "auto"
#: what an id from secrets.token_urlsafe looks like; anything else is unknown without a query
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,48}$")


def new_id() -> str:
    """An unguessable certificate id (144 random bits) that never begins with "-", so that it can
    be typed after a command (``nbcampus certificates revoke ID``) without being read as an
    option."""
    while True:
        cert_id = secrets.token_urlsafe(18)
        if not cert_id.startswith("-"):
            return cert_id


@dataclass
class IssueReport:
    """What a bulk issue did: new certificates, learners who already had one, and who is not
    eligible and why."""

    issued: list[Certificate] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    not_eligible: dict[str, list[str]] = field(default_factory=dict)


def _lock_course(session: Session, course_id: str) -> CourseRecord:
    # serialises issuers of one course on PostgreSQL; SQLite's BEGIN IMMEDIATE already has
    return get_course(session, course_id, lock=session.get_bind().dialect.name == "postgresql")


def _next_number(session: Session, course_id: str) -> int:
    top = session.scalar(
        select(func.max(Certificate.number)).where(Certificate.course_id == course_id)
    )
    return (top or 0) + 1


def active_certificate(
    session: Session, course_id: str, username: str, module_id: str = ""
) -> Certificate | None:
    """The learner's live certificate of the course (or award of ``module_id``)."""
    return session.scalar(
        select(Certificate).where(
            Certificate.course_id == course_id,
            Certificate.username == username,
            Certificate.module_id == module_id,
            Certificate.revoked_at.is_(None),
        )
    )


def _cohorts(session: Session, course_id: str, usernames: list[str]) -> dict[str, str | None]:
    query = (
        select(Enrolment.username, Cohort.name)
        .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.course_id == course_id)
    )
    if len(usernames) < 500:  # a bulk issue reads the whole course at once
        query = query.where(Enrolment.username.in_(usernames))
    return dict(session.execute(query).all())


def _new_certificate(
    course: CourseRecord,
    username: str,
    name: str,
    score: float,
    cohort: str | None,
    number: int,
    actor: str,
    module_id: str = "",
) -> Certificate:
    data = course.data
    reward = module_rewards(course).get(module_id) if module_id else None
    return Certificate(
        id=new_id(),
        course_id=course.id,
        number=number,
        username=username,
        # the name shown for the learner now (profiles); kept as issued when it changes later
        learner_name=name,
        module_id=module_id,
        module_title=reward["title"] if reward else None,
        award=reward["award"] if reward else CERTIFICATE,
        course_title=course.title,
        format=course.format,
        cohort=cohort,
        score=round(score, 2),
        hours=float(data.get("hours_per_week", 0)) * int(data.get("duration_weeks", 0)),
        branding=dict(data.get("branding", {})),
        issued_at=utcnow(),
        issued_by=actor,
    )


def _audit(
    session: Session, actor: str, action: str, cert: Certificate, reason: str = "", **details
):
    audit(
        session,
        actor,
        action,
        cert.course_id,
        cert.username,
        reason,
        certificate=cert.id,
        number=cert.number,
        **details,
    )


def issue_eligible(
    session: Session,
    course_id: str,
    *,
    actor: str,
    usernames: Iterable[str] | None = None,
) -> IssueReport:
    """Issue a certificate to every eligible learner of the course (or of ``usernames``) who has
    none yet. Audited per certificate."""
    course = _lock_course(session, course_id)
    wanted = list(usernames) if usernames is not None else None
    verdicts = evaluate(session, course, wanted)
    holders = set(
        session.scalars(
            select(Certificate.username).where(
                Certificate.course_id == course_id,
                Certificate.module_id == "",
                Certificate.revoked_at.is_(None),
            )
        )
    )
    report = IssueReport()
    ready: list[Eligibility] = []
    for username in sorted(verdicts):
        verdict = verdicts[username]
        if username in holders:
            report.already.append(username)
        elif not verdict.eligible:
            report.not_eligible[username] = verdict.missing
        else:
            ready.append(verdict)
    if not ready:
        return report
    cohorts = _cohorts(session, course_id, [v.username for v in ready])
    names = shown_names(session, [v.username for v in ready])
    number = _next_number(session, course_id)
    for offset, verdict in enumerate(ready):
        cert = _new_certificate(
            course,
            verdict.username,
            names[verdict.username],
            verdict.score,
            cohorts.get(verdict.username),
            number + offset,
            actor,
        )
        session.add(cert)
        _audit(session, actor, "certificate.issue", cert, score=cert.score)
        report.issued.append(cert)
    session.flush()
    for cert in report.issued:
        _announce(session, cert)
    return report


def _announce(session: Session, cert: Certificate) -> None:
    """A new certificate is news for its learner (notifications)."""
    publish(session, CertificateIssued(cert.course_id, cert.username, certificate_id=cert.id))


def issue_if_eligible(session: Session, course_id: str, username: str) -> Certificate | None:
    """The hook run where a grade or a quiz attempt is recorded: issue the learner's certificate
    if they just became eligible.

    Cheap (a look at the course's rules and one learner's grades) and failure-safe: it runs in a
    savepoint and any error is logged, never raised, so the grade or attempt is kept.
    """
    try:
        course = session.get(CourseRecord, course_id)
        if course is None or not rules(course)["enabled"]:
            return None
        if active_certificate(session, course_id, username) is not None:
            return None
        # look first without a lock: most grades do not make anyone eligible, and the lock
        # taken to issue would make a course's grades and quiz attempts wait on each other
        if not evaluate(session, course, [username])[username].eligible:
            return None
        with session.begin_nested():
            report = issue_eligible(session, course_id, actor=AUTO, usernames=[username])
        return report.issued[0] if report.issued else None
    except IntegrityError:
        # another transaction issued it first (the unique index held): nothing to do
        return None
    except Exception:
        log.exception(
            "certificate check for %s in %s failed; the grade is kept", username, course_id
        )
        return None


def get_certificate(session: Session, certificate_id: str) -> Certificate:
    cert = session.get(Certificate, certificate_id) if ID_PATTERN.match(certificate_id) else None
    if cert is None:
        raise NotFound(f"no certificate {certificate_id!r}")
    return cert


def revoke(session: Session, certificate_id: str, *, actor: str, reason: str) -> Certificate:
    """Revoke a certificate, with the reason (shown on the public check) and an audit event."""
    reason = (reason or "").strip()
    if not reason:
        raise CampusError("a reason is required to revoke a certificate", status=422)
    cert = get_certificate(session, certificate_id)
    if cert.revoked_at is not None:
        raise Conflict(f"certificate {certificate_id} was revoked at {cert.revoked_at.isoformat()}")
    cert.revoked_at = utcnow()
    cert.revoked_by = actor
    cert.revoke_reason = reason
    _audit(session, actor, "certificate.revoke", cert, reason)
    session.flush()
    return cert


def reissue(session: Session, certificate_id: str, *, actor: str, reason: str) -> Certificate:
    """Revoke a certificate and issue its learner a new one (new id and number) with the facts
    as they are now, e.g. after a grade was corrected. Both steps audited."""
    old = get_certificate(session, certificate_id)
    course = _lock_course(session, old.course_id)
    revoke(session, certificate_id, actor=actor, reason=f"re-issued: {reason}".strip())
    session.flush()  # the old one leaves the one-live-certificate index before the new one enters
    if old.module_id:
        verdict = module_verdicts(session, course, old.username, [old.module_id]).get(old.module_id)
        if verdict is None:
            raise Conflict(f"module {old.module_id} of {course.id} gives no award any more")
    else:
        verdict = evaluate(session, course, [old.username])[old.username]
    cohort = _cohorts(session, course.id, [old.username]).get(old.username)
    cert = _new_certificate(
        course,
        old.username,
        shown_name(session, old.username),
        verdict.score,
        cohort,
        _next_number(session, course.id),
        actor,
        old.module_id,
    )
    cert.replaces = old.id
    session.add(cert)
    _audit(session, actor, "certificate.reissue", cert, reason, replaces=old.id)
    session.flush()
    _announce(session, cert)
    return cert


def approve(
    session: Session, course_id: str, username: str, *, actor: str, reason: str = ""
) -> tuple[CertificateApproval, Certificate | None]:
    """A staff member approves a learner for the course's certificate (audited); the certificate
    is issued at once if that was all that was missing."""
    course = get_course(session, course_id)
    if not is_enrolled(session, course_id, username):
        raise NotFound(f"{username} is not enrolled in {course_id}")
    approval = session.scalar(
        select(CertificateApproval).where(
            CertificateApproval.course_id == course_id, CertificateApproval.username == username
        )
    )
    if approval is None:
        approval = CertificateApproval(
            course_id=course_id, username=username, approved_by=actor, reason=reason
        )
        session.add(approval)
        audit(session, actor, "certificate.approve", course_id, username, reason)
        session.flush()
    cert = None
    if rules(course)["enabled"]:
        cert = issue_if_eligible(session, course_id, username)
    return approval, cert


def course_certificates(session: Session, course_id: str) -> list[Certificate]:
    get_course(session, course_id)
    return list(
        session.scalars(
            select(Certificate)
            .where(Certificate.course_id == course_id)
            .order_by(Certificate.number)
        )
    )


def my_certificates(session: Session, username: str) -> list[Certificate]:
    return list(
        session.scalars(
            select(Certificate)
            .where(Certificate.username == username)
            .order_by(Certificate.issued_at)
        )
    )
