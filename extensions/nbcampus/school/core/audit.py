"""The audit trail: who did what to whom, when and why; written here only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from nbcampus.school.core.models import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    """One audited action (enrol, unenrol, move, verify, extend, roster upload...)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_course_subject", "course_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(64))
    course_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    subject: Mapped[str | None] = mapped_column(String(255), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def audit(
    session: Session,
    actor: str,
    action: str,
    course_id: str | None,
    subject: str | None = None,
    reason: str = "",
    **details: Any,
) -> AuditEvent:
    """Record one audited action in the caller's transaction: who, what, to whom, why."""
    event = AuditEvent(
        actor=actor,
        action=action,
        course_id=course_id,
        subject=subject,
        reason=reason,
        details=details,
    )
    session.add(event)
    return event


def course_audit(session: Session, course_id: str, limit: int) -> list[dict[str, Any]]:
    """The course's latest ``limit`` audit records, newest first."""
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.course_id == course_id)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return [
        {
            "at": e.at.isoformat(),
            "actor": e.actor,
            "action": e.action,
            "subject": e.subject,
            "reason": e.reason,
            "details": e.details,
        }
        for e in events
    ]
