"""peer review: the peer grade last recorded per pool entry (the flexible-grading pass skips
entries whose grade is written); the pool's indexes match its two orders (allocation: least
loaded, oldest, id; the pool's sync: newest)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 03:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("peer_submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recorded_score", sa.Float(), nullable=True))
        batch_op.drop_index("ix_peer_submissions_pool")
        batch_op.create_index(
            "ix_peer_submissions_pool",
            ["course_id", "assignment_id", "cohort_id", "load", "submitted_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_peer_submissions_newest",
            ["course_id", "assignment_id", "submitted_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("peer_submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_peer_submissions_newest")
        batch_op.drop_index("ix_peer_submissions_pool")
        batch_op.create_index(
            "ix_peer_submissions_pool",
            ["course_id", "assignment_id", "cohort_id", "load", "submitted_at"],
            unique=False,
        )
        batch_op.drop_column("recorded_score")
