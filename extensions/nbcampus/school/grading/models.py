"""Grading: the queue of grading jobs (with leases) and the one grade of each submission."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from nbcampus.school.core.api import Base, UTCDateTime, utcnow

#: job states: queued -> running -> graded | review | failed (running again after a lease expires)
JOB_STATES = ("queued", "running", "graded", "review", "failed")


class GradingJob(Base):
    """One request to grade one submission. A worker holds it under a lease until it finishes."""

    __tablename__ = "grading_jobs"
    __table_args__ = (Index("ix_grading_jobs_state", "state", "lease_expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id"), index=True)
    course_id: Mapped[str] = mapped_column(String(64))
    assignment_id: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16), default="queued")
    requested_by: Mapped[str] = mapped_column(String(255))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: which worker holds the job and until when; an expired lease makes the job free again
    lease_owner: Mapped[str | None] = mapped_column(String(255), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class Grade(Base):
    """The grade of one submission: exactly one row, written when its job finishes.

    ``score`` is what counts: the automatic and manual points after the late policy
    (``credit_percent`` of the submission). ``state`` is ``graded`` or ``review`` (grading crashed
    or the submission tampered with the grader: staff must look before it counts).
    """

    __tablename__ = "grades"
    __table_args__ = (Index("ix_grades_course", "course_id", "assignment_id", "username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id"), unique=True)
    course_id: Mapped[str] = mapped_column(String(64))
    assignment_id: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16))
    auto_score: Mapped[float] = mapped_column()
    manual_score: Mapped[float] = mapped_column(default=0.0)
    raw_score: Mapped[float] = mapped_column()
    max_score: Mapped[float] = mapped_column()
    credit_percent: Mapped[float] = mapped_column(default=100.0)
    score: Mapped[float] = mapped_column()
    #: per cell: {"notebook", "grade_id", "kind": auto|manual, "points", "max_points", "status"}
    cells: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    #: why the grade needs review (empty when it does not)
    review_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    graded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    graded_by: Mapped[str] = mapped_column(String(255))
    #: when the learner may see it (feedback released); None until then
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
