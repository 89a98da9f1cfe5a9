"""The exchange: released assignments, submissions (immutable, versioned) and feedback."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nbcampus.school.core.api import Base, UTCDateTime, utcnow

LESSONS = "_lessons"


class Release(Base):
    """One release of an assignment: a single stored copy every learner fetches."""

    __tablename__ = "releases"
    __table_args__ = (Index("ix_releases_current", "course_id", "assignment_id", "current"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"))
    #: an nbgrader assignment id, or LESSONS for the course's lesson files
    assignment_id: Mapped[str] = mapped_column(String(64))
    #: hash of the course sources it was generated from (None when an instructor uploaded it)
    source_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    released_by: Mapped[str] = mapped_column(String(255))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    storage: Mapped[str] = mapped_column(String(500))
    files: Mapped[dict[str, Any]] = mapped_column(JSON)  # name -> {"size", "sha256"}
    current: Mapped[bool] = mapped_column(default=True)


class Submission(Base):
    """One attempt of one learner; never changed after it is stored."""

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("course_id", "assignment_id", "username", "attempt"),
        Index("ix_submissions_assignment", "course_id", "assignment_id"),
        # the newest submissions of an assignment (the peer-review pool takes them in)
        Index("ix_submissions_received", "course_id", "assignment_id", "received_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"))
    assignment_id: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(255))
    attempt: Mapped[int] = mapped_column(Integer)
    #: the service's clock when the upload was complete; the only time that counts
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    late_stage: Mapped[str] = mapped_column(String(16))
    credit_percent: Mapped[float] = mapped_column()
    storage: Mapped[str] = mapped_column(String(500))
    files: Mapped[dict[str, Any]] = mapped_column(JSON)
    size: Mapped[int] = mapped_column(Integer)


class Feedback(Base):
    """Feedback files released to the learner for one submission."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id"), index=True)
    released_by: Mapped[str] = mapped_column(String(255))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    storage: Mapped[str] = mapped_column(String(500))
    files: Mapped[dict[str, Any]] = mapped_column(JSON)
