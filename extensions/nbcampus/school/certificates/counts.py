"""How many course certificates are issued (and not revoked), per learner and per cohort: the
reports' certificate columns, which the service adds to the progress reports (module awards
are not course certificates)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import Cohort
from nbcampus.school.certificates.models import Certificate
from nbcampus.school.enrolment.api import Enrolment
from nbcampus.school.progress.api import NO_COHORT


def issued_per_learner(session: Session, course_id: str) -> dict[str, int]:
    """``{username: certificates issued and not revoked}`` in the course."""
    rows = session.execute(
        select(Certificate.username, func.count())
        .where(
            Certificate.course_id == course_id,
            Certificate.module_id == "",
            Certificate.revoked_at.is_(None),
        )
        .group_by(Certificate.username)
    )
    return {username: count for username, count in rows}


def issued_per_cohort(
    session: Session, course_id: str, cohorts: Collection[str] | None = None
) -> dict[str, int]:
    """``{cohort name: certificates issued and not revoked}`` (only ``cohorts`` when given)."""
    query = (
        select(func.coalesce(Cohort.name, NO_COHORT), func.count())
        .select_from(Certificate)
        .join(
            Enrolment,
            and_(
                Enrolment.course_id == Certificate.course_id,
                Enrolment.username == Certificate.username,
            ),
        )
        .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(
            Certificate.course_id == course_id,
            Certificate.module_id == "",
            Certificate.revoked_at.is_(None),
        )
        .group_by(Cohort.name)
    )
    if cohorts is not None:
        query = query.where(Cohort.name.in_(list(cohorts)))
    return {name: count for name, count in session.execute(query)}
