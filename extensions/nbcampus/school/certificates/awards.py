"""Module awards: a module whose course file names a ``reward`` gives its learner a badge (the
signed Open Badges assertion, on the public verify page) or a module certificate (its PDF too)
once the module is complete at the reward's score (``eligibility.module_verdicts``).

Issued by the same path as course certificates: numbered in the course's one sequence under the
course lock, the learner's shown name kept as issued, audited, announced (CertificateIssued);
revoked and re-issued like any certificate. Run where a grade or a quiz attempt is recorded,
it never breaks the publisher: a savepoint, failures logged.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import CourseRecord
from nbcampus.school.certificates.eligibility import module_rewards, module_verdicts
from nbcampus.school.certificates.issuance import (
    AUTO,
    _announce,
    _audit,
    _cohorts,
    _lock_course,
    _new_certificate,
    _next_number,
    active_certificate,
)
from nbcampus.school.certificates.models import Certificate
from nbcampus.school.profiles.api import shown_name

log = logging.getLogger("nbcampus.certificates")


def _issue(
    session: Session, course_id: str, username: str, modules: list[str]
) -> list[Certificate]:
    course = _lock_course(session, course_id)
    verdicts = module_verdicts(session, course, username, modules)
    ready = [
        m
        for m, verdict in verdicts.items()
        if verdict.eligible and active_certificate(session, course_id, username, m) is None
    ]
    if not ready:
        return []
    cohort = _cohorts(session, course_id, [username]).get(username)
    name = shown_name(session, username)
    number = _next_number(session, course_id)
    issued = []
    for offset, module_id in enumerate(ready):
        cert = _new_certificate(
            course,
            username,
            name,
            verdicts[module_id].score,
            cohort,
            number + offset,
            AUTO,
            module_id,
        )
        session.add(cert)
        _audit(session, AUTO, "certificate.issue", cert, score=cert.score, module=module_id)
        issued.append(cert)
    session.flush()
    for cert in issued:
        _announce(session, cert)
    return issued


def award_modules(session: Session, course_id: str, username: str) -> list[Certificate]:
    """Issue the learner every module award they just earned (none for a course without
    rewards, or a learner who already holds them). Failure-safe: the grade is kept."""
    try:
        course = session.get(CourseRecord, course_id)
        if course is None or not module_rewards(course):
            return []
        waiting = [
            m
            for m in module_rewards(course)
            if active_certificate(session, course_id, username, m) is None
        ]
        # look first without the course lock: most grades complete no module
        if not waiting or not any(
            v.eligible for v in module_verdicts(session, course, username, waiting).values()
        ):
            return []
        with session.begin_nested():
            return _issue(session, course_id, username, waiting)
    except IntegrityError:
        # another transaction issued it first (the unique index held)
        return []
    except Exception:
        log.exception(
            "module award check for %s in %s failed; the grade is kept", username, course_id
        )
        return []
