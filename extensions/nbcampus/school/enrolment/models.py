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


#: an upgrade to the verified track: paid (a voucher redeemed), then identity checked by staff
AWAITING, VERIFIED, REFUSED = "awaiting verification", "verified", "refused"


class Voucher(Base):
    """An upgrade code of one course, made by staff to sell or give out. Only its SHA-256 is
    kept (the code is shown once); it is spent by one learner, once."""

    __tablename__ = "vouchers"
    __table_args__ = (Index("ix_vouchers_course", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    note: Mapped[str] = mapped_column(String(300), default="")
    created_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    redeemed_by: Mapped[str | None] = mapped_column(String(255), nullable=True)
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Upgrade(Base):
    """A learner's way to the verified track of one course: ``awaiting verification`` once
    paid (a voucher), then ``verified`` (the track changes) or ``refused`` by staff, with why."""

    __tablename__ = "upgrades"
    __table_args__ = (
        UniqueConstraint("course_id", "username"),
        Index("ix_upgrades_state", "course_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"))
    username: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(32))
    voucher_id: Mapped[int | None] = mapped_column(ForeignKey("vouchers.id"), nullable=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(255), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(1000), nullable=True)
