"""LTI 1.3: logins under way, verified launches, accounts, linked LMS courses, their members,
line items and score posts

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "lti_logins",
        sa.Column("state", sa.String(64), primary_key=True),
        sa.Column("nonce", sa.String(64), nullable=False, unique=True),
        sa.Column("issuer", sa.String(255), nullable=False),
        sa.Column("client_id", sa.String(255), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("used_at", TIME, nullable=True),
    )
    op.create_table(
        "lti_launches",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("issuer", sa.String(255), nullable=False),
        sa.Column("username", sa.String(255), nullable=False),
        sa.Column("claims", sa.JSON(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
    )
    op.create_table(
        "lti_accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("issuer", sa.String(255), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("username", sa.String(255), nullable=False, unique=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("email", sa.String(255), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.UniqueConstraint("issuer", "subject", name="uq_lti_account"),
    )
    op.create_table(
        "lti_contexts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("issuer", sa.String(255), nullable=False),
        sa.Column("deployment_id", sa.String(255), nullable=False),
        sa.Column("context_id", sa.String(255), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("course_id", sa.String(64), nullable=False, index=True),
        sa.Column("cohort", sa.String(64), nullable=True),
        sa.Column("lineitems_url", sa.Text(), nullable=True),
        sa.Column("memberships_url", sa.Text(), nullable=True),
        sa.Column("linked_by", sa.String(255), nullable=False),
        sa.Column("linked_at", TIME, nullable=False),
        sa.UniqueConstraint("issuer", "deployment_id", "context_id", name="uq_lti_context"),
    )
    op.create_table(
        "lti_members",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("context_pk", sa.Integer(), sa.ForeignKey("lti_contexts.id"), index=True),
        sa.Column("username", sa.String(255), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("seen_at", TIME, nullable=False),
        sa.UniqueConstraint("context_pk", "username", name="uq_lti_member"),
    )
    op.create_table(
        "lti_line_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("context_pk", sa.Integer(), sa.ForeignKey("lti_contexts.id"), index=True),
        sa.Column("item_id", sa.String(128), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.UniqueConstraint("context_pk", "item_id", name="uq_lti_line_item"),
    )
    op.create_table(
        "lti_score_posts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("context_pk", sa.Integer(), sa.ForeignKey("lti_contexts.id"), index=True),
        sa.Column("item_id", sa.String(128), nullable=False),
        sa.Column("username", sa.String(255), nullable=False, index=True),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("score_given", sa.Float(), nullable=True),
        sa.Column("score_maximum", sa.Float(), nullable=False),
        sa.Column("activity_progress", sa.String(32), nullable=False),
        sa.Column("grading_progress", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", TIME, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("sent_at", TIME, nullable=True),
    )


def downgrade() -> None:
    for table in (
        "lti_score_posts",
        "lti_line_items",
        "lti_members",
        "lti_contexts",
        "lti_accounts",
        "lti_launches",
        "lti_logins",
    ):
        op.drop_table(table)
