"""video watches: what each learner played of each video lesson (the union of the segments)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 19:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "video_watches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("lesson", sa.String(length=500), nullable=False),
        sa.Column("segments", sa.Text(), nullable=False),
        sa.Column("watched", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("course_id", "username", "lesson", name="uq_video_watch"),
    )


def downgrade() -> None:
    op.drop_table("video_watches")
