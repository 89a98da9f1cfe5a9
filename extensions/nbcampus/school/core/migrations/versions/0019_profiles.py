"""profiles and module awards: a learner's display name, language and time zone; a certificate
may award one module (a module certificate or a module badge), one live award per learner,
course and module

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 19:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

LIVE = "revoked_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "profiles",
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username"),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("module_id", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("module_title", sa.String(length=300), nullable=True))
        batch_op.add_column(
            sa.Column("award", sa.String(length=16), nullable=False, server_default="certificate")
        )
        batch_op.drop_index("uq_certificates_active_learner")
        batch_op.create_index(
            "uq_certificates_active_learner",
            ["course_id", "username", "module_id"],
            unique=True,
            sqlite_where=sa.text(LIVE),
            postgresql_where=sa.text(LIVE),
        )


def downgrade() -> None:
    op.execute("DELETE FROM certificates WHERE module_id <> ''")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index("uq_certificates_active_learner")
        batch_op.create_index(
            "uq_certificates_active_learner",
            ["course_id", "username"],
            unique=True,
            sqlite_where=sa.text(LIVE),
            postgresql_where=sa.text(LIVE),
        )
        batch_op.drop_column("award")
        batch_op.drop_column("module_title")
        batch_op.drop_column("module_id")
    op.drop_table("profiles")
