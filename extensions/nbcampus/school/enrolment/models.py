"""Who is enrolled in which course, on which track and in which cohort."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nbcampus.school.catalog.api import Cohort
from nbcampus.school.core.api import Base, UTCDateTime, utcnow

ENROLLED, WAITLISTED, UNENROLLED = "enrolled", "waitlisted", "unenrolled"
AUDIT_TRACK, VERIFIED_TRACK = "audit", "verified"


class Enrolment(Base):
    """One learner in one course. Unenrolling keeps the row (status ``unenrolled``)."""

    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("course_id", "username"),
        Index("ix_enrolments_course_status", "course_id", "status"),
        Index("ix_enrolments_username", "username"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"))
    username: Mapped[str] = mapped_column(String(255))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    track: Mapped[str] = mapped_column(String(16), default=AUDIT_TRACK)
    #: self-paced courses count due dates from here (the enrolment time, server clock)
    personal_start: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    cohort: Mapped[Cohort | None] = relationship()


class RosterEntry(Base):
    """A person invited to a SPOC by name (from the course's roster or an uploaded CSV)."""

    __tablename__ = "roster_entries"
    __table_args__ = (UniqueConstraint("course_id", "username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"))
    username: Mapped[str] = mapped_column(String(255))
    added_by: Mapped[str] = mapped_column(String(255))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
