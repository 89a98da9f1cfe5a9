"""Courses as the service knows them, and their cohorts (course runs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nbcampus.school.core.api import Base, UTCDateTime, utcnow


class CourseRecord(Base):
    """The last valid version of a course folder; an invalid new version never replaces it."""

    __tablename__ = "courses"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    format: Mapped[str] = mapped_column(String(8))
    pedagogy: Mapped[str] = mapped_column(String(8))
    seat_cap: Mapped[int | None] = mapped_column(Integer, nullable=True)
    waitlist: Mapped[bool] = mapped_column(default=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_hash: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cohorts: Mapped[list[Cohort]] = relationship(
        back_populates="course", order_by="Cohort.starts_at"
    )


class Cohort(Base):
    """A run of a course. Self-paced courses have one open cohort named ``self-paced``."""

    __tablename__ = "cohorts"
    __table_args__ = (UniqueConstraint("course_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    course: Mapped[CourseRecord] = relationship(back_populates="cohorts")
