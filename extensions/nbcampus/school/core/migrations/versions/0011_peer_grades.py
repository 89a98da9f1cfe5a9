"""peer review: the peer grade last recorded per pool entry (the flexible-grading pass skips
entries whose grade is written)

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


def downgrade() -> None:
    with op.batch_alter_table("peer_submissions", schema=None) as batch_op:
        batch_op.drop_column("recorded_score")
