"""peer review: the pool of submissions, reservations, reviews (peer and self)

Revision ID: 0010
Revises: 0008 (rebase note: 0009 once discussion-speed is merged)
Create Date: 2026-12-09 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the newest submissions of an assignment, which the review pool takes in
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_submissions_received", ["course_id", "assignment_id", "received_at"], unique=False
        )

    op.create_table(
        "peer_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("assignment_id", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("submission_id", sa.String(length=32), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("load", sa.Integer(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("override_score", sa.Float(), nullable=True),
        sa.Column("override_by", sa.String(length=255), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_peer_submissions_cohort_id_cohorts")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_peer_submissions_course_id_courses")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_peer_submissions_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peer_submissions")),
        sa.UniqueConstraint(
            "course_id", "assignment_id", "username", name=op.f("uq_peer_submissions_course_id")
        ),
    )
    with op.batch_alter_table("peer_submissions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_peer_submissions_pool",
            ["course_id", "assignment_id", "cohort_id", "load", "submitted_at"],
            unique=False,
        )

    op.create_table(
        "peer_allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("peer_submission_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("assignment_id", sa.String(length=64), nullable=False),
        sa.Column("reviewer", sa.String(length=255), nullable=False),
        sa.Column("submission_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["peer_submission_id"],
            ["peer_submissions.id"],
            name=op.f("fk_peer_allocations_peer_submission_id_peer_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peer_allocations")),
        sa.UniqueConstraint(
            "peer_submission_id", "reviewer", name=op.f("uq_peer_allocations_peer_submission_id")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("peer_allocations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_peer_allocations_expiry", ["course_id", "assignment_id", "expires_at"], unique=False
        )
        batch_op.create_index(
            "ix_peer_allocations_one_held",
            ["course_id", "assignment_id", "reviewer"],
            unique=True,
            sqlite_where=sa.text("done_at IS NULL"),
            postgresql_where=sa.text("done_at IS NULL"),
        )

    op.create_table(
        "peer_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("peer_submission_id", sa.Integer(), nullable=False),
        sa.Column("allocation_id", sa.Integer(), nullable=True),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("assignment_id", sa.String(length=64), nullable=False),
        sa.Column("reviewer", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("points", sa.JSON(), nullable=False),
        sa.Column("comments", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("comment_html", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("flag_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["allocation_id"],
            ["peer_allocations.id"],
            name=op.f("fk_peer_reviews_allocation_id_peer_allocations"),
        ),
        sa.ForeignKeyConstraint(
            ["peer_submission_id"],
            ["peer_submissions.id"],
            name=op.f("fk_peer_reviews_peer_submission_id_peer_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peer_reviews")),
        sa.UniqueConstraint("allocation_id", name=op.f("uq_peer_reviews_allocation_id")),
    )
    with op.batch_alter_table("peer_reviews", schema=None) as batch_op:
        batch_op.create_index("ix_peer_reviews_entry", ["peer_submission_id", "kind"], unique=False)
        batch_op.create_index(
            "ix_peer_reviews_flagged", ["course_id", "assignment_id", "flagged_at"], unique=False
        )
        batch_op.create_index("ix_peer_reviews_reviewer", ["course_id", "reviewer"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("peer_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_peer_reviews_reviewer")
        batch_op.drop_index("ix_peer_reviews_flagged")
        batch_op.drop_index("ix_peer_reviews_entry")

    op.drop_table("peer_reviews")
    with op.batch_alter_table("peer_allocations", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_peer_allocations_one_held",
            sqlite_where=sa.text("done_at IS NULL"),
            postgresql_where=sa.text("done_at IS NULL"),
        )
        batch_op.drop_index("ix_peer_allocations_expiry")

    op.drop_table("peer_allocations")
    with op.batch_alter_table("peer_submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_peer_submissions_pool")

    op.drop_table("peer_submissions")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_submissions_received")
