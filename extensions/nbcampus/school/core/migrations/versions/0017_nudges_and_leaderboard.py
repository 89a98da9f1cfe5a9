"""nudges and the leaderboard: the at-risk nudges given (once per rule, learner and
occasion) and staff messages, the learners' leaderboard choices

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nudges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("occasion", sa.String(length=128), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_by", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudges")),
        sa.UniqueConstraint(
            "course_id", "username", "rule", "occasion", name=op.f("uq_nudges_course_id")
        ),
    )
    with op.batch_alter_table("nudges", schema=None) as batch_op:
        batch_op.create_index("ix_nudges_course_created", ["course_id", "created_at"])
    op.create_table(
        "leaderboard_choices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("opted_in", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leaderboard_choices")),
        sa.UniqueConstraint("course_id", "username", name=op.f("uq_leaderboard_choices_course_id")),
    )


def downgrade() -> None:
    op.drop_table("leaderboard_choices")
    with op.batch_alter_table("nudges", schema=None) as batch_op:
        batch_op.drop_index("ix_nudges_course_created")
    op.drop_table("nudges")
