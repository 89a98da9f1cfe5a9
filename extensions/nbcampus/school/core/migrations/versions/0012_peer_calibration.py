"""peer review: learners' attempts at the calibration examples of a peer-reviewed assignment

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 04:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "peer_calibrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("assignment_id", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("example", sa.Integer(), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peer_calibrations")),
    )
    with op.batch_alter_table("peer_calibrations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_peer_calibrations_learner",
            ["course_id", "assignment_id", "username", "example"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("peer_calibrations", schema=None) as batch_op:
        batch_op.drop_index("ix_peer_calibrations_learner")

    op.drop_table("peer_calibrations")
