"""Deadline overrides: per cohort or per learner, each with who granted it, when and why."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from nbcampus.school.core.api import Base, UTCDateTime, utcnow


class DeadlineOverride(Base):
    """A new due date for one assignment, for a whole cohort or for one learner (an extension)."""

    __tablename__ = "deadline_overrides"
    __table_args__ = (
        CheckConstraint("(cohort_id IS NULL) <> (username IS NULL)", name="cohort_xor_learner"),
        Index("ix_overrides_lookup", "course_id", "assignment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"))
    assignment_id: Mapped[str] = mapped_column(String(64))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id"), nullable=True)
    username: Mapped[str | None] = mapped_column(String(255), nullable=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    granted_by: Mapped[str] = mapped_column(String(255))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
