"""Peer review: the pool of submissions waiting for reviews, reservations (allocations) of one
submission to one reviewer, and the reviews themselves (peer and self)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from nbcampus.school.core.api import Base, UTCDateTime, utcnow

#: a review given to a peer, or a learner's assessment of their own work
PEER, SELF = "peer", "self"


class PeerSubmission(Base):
    """One learner's work in the review pool of one assignment: their latest submission.

    ``load`` is the reviews done plus the reservations still held; allocation gives the least
    loaded first, then the oldest. It changes only by a conditional UPDATE (``load = seen``), so
    two replicas never both count the same slot. Staff may override the grade (audited).
    """

    __tablename__ = "peer_submissions"
    __table_args__ = (
        UniqueConstraint("course_id", "assignment_id", "username"),
        Index(
            "ix_peer_submissions_pool",
            "course_id",
            "assignment_id",
            "cohort_id",
            "load",
            "submitted_at",
            "id",
        ),
        Index("ix_peer_submissions_newest", "course_id", "assignment_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"))
    assignment_id: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(255))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id"), nullable=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id"))
    #: the server's receive time of that submission (the pool's "oldest first")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    load: Mapped[int] = mapped_column(Integer, default=0)
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    override_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    override_by: Mapped[str | None] = mapped_column(String(255), nullable=True)
    override_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: the peer grade last written into the submission's grade (None: not written yet)
    recorded_score: Mapped[float | None] = mapped_column(Float, nullable=True)


class PeerAllocation(Base):
    """A reservation of one pool entry for one reviewer until ``expires_at``.

    One row per (entry, reviewer) ever: a reviewer never gets the same work twice. An expired
    reservation is deleted (its load given back). A reviewer holds at most one reservation per
    assignment at a time (a partial unique index).
    """

    __tablename__ = "peer_allocations"
    __table_args__ = (
        UniqueConstraint("peer_submission_id", "reviewer"),
        Index(
            "ix_peer_allocations_one_held",
            "course_id",
            "assignment_id",
            "reviewer",
            unique=True,
            sqlite_where=text("done_at IS NULL"),
            postgresql_where=text("done_at IS NULL"),
        ),
        Index("ix_peer_allocations_expiry", "course_id", "assignment_id", "expires_at"),
        # an id is never reused once its reservation is released (SQLite would reuse it)
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    peer_submission_id: Mapped[int] = mapped_column(ForeignKey("peer_submissions.id"))
    course_id: Mapped[str] = mapped_column(String(64))
    assignment_id: Mapped[str] = mapped_column(String(64))
    reviewer: Mapped[str] = mapped_column(String(255))
    #: the submission shown (the author's latest when it was reserved)
    submission_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PeerReview(Base):
    """One assessment against the rubric: a level per criterion (index into its levels) and
    the points it gives, comments per criterion, an overall comment (markdown and its safe
    HTML). The learner reviewed may flag it as unfair (to staff)."""

    __tablename__ = "peer_reviews"
    __table_args__ = (
        Index("ix_peer_reviews_entry", "peer_submission_id", "kind"),
        Index("ix_peer_reviews_reviewer", "course_id", "reviewer"),
        Index("ix_peer_reviews_flagged", "course_id", "assignment_id", "flagged_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    peer_submission_id: Mapped[int] = mapped_column(ForeignKey("peer_submissions.id"))
    allocation_id: Mapped[int | None] = mapped_column(
        ForeignKey("peer_allocations.id"), nullable=True, unique=True
    )
    course_id: Mapped[str] = mapped_column(String(64))
    assignment_id: Mapped[str] = mapped_column(String(64))
    reviewer: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(8), default=PEER)
    levels: Mapped[dict[str, int]] = mapped_column(JSON)
    points: Mapped[dict[str, float]] = mapped_column(JSON)
    comments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    comment_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    flag_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class PeerCalibration(Base):
    """One attempt of a learner at a calibration example (its index in the course file's
    examples): the levels they chose and whether every one agreed with the reference."""

    __tablename__ = "peer_calibrations"
    __table_args__ = (
        Index("ix_peer_calibrations_learner", "course_id", "assignment_id", "username", "example"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(String(64))
    assignment_id: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(255))
    example: Mapped[int] = mapped_column(Integer)
    levels: Mapped[dict[str, int]] = mapped_column(JSON)
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
