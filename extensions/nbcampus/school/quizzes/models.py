"""Quizzes: the published questions with their key (kept in the service only) and learners' attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nbcampus.school.core.api import Base, UTCDateTime, utcnow


class QuizRecord(Base):
    """One quiz of a course as last published. ``key`` never leaves the service."""

    __tablename__ = "quizzes"
    __table_args__ = (UniqueConstraint("course_id", "quiz_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"))
    #: ``<module>-quiz``, the id the deadlines use
    quiz_id: Mapped[str] = mapped_column(String(64))
    module_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(255))
    max_attempts: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: what learners may see: [{"id", "type", "prompt", "options", "code", "points"}]
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    #: question id -> {"answer", "tolerance", "patterns"}
    key: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_hash: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QuizAttempt(Base):
    """One scored attempt of one learner; never changed after it is stored."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("course_id", "quiz_id", "username", "attempt"),
        Index("ix_quiz_attempts_quiz", "course_id", "quiz_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(String(64))
    quiz_id: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(255))
    attempt: Mapped[int] = mapped_column(Integer)
    #: the server's clock when the answers arrived
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: question id -> the answer as sent (option indexes are in the quiz's own order)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: question id -> {"correct": bool, "points": float, "max_points": float}
    results: Mapped[dict[str, Any]] = mapped_column(JSON)
    score: Mapped[float] = mapped_column()
    max_score: Mapped[float] = mapped_column()
