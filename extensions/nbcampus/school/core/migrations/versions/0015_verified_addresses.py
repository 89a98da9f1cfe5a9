"""verified addresses: when a learner confirmed their own e-mail address (admission by e-mail
domain reads only a verified one)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 04:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mail_profiles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("mail_profiles", schema=None) as batch_op:
        batch_op.drop_column("email_verified_at")
