"""discussion threads keep their reply counts, latest post and whether the opening post is
hidden; indexes in the order a listing reads threads; read marks by member

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-09 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ORDER = ["pinned", "last_activity_at", "id"]

# the counts as the posts say them (the same as write_post and moderation.hide keep them)
BACKFILL = """
UPDATE discussion_threads SET
  reply_count = (
    SELECT count(*) FROM discussion_posts p
    WHERE p.thread_id = discussion_threads.id AND p.depth > 0),
  visible_reply_count = (
    SELECT count(*) FROM discussion_posts p
    WHERE p.thread_id = discussion_threads.id AND p.depth > 0 AND p.hidden_at IS NULL),
  last_post_id = coalesce((
    SELECT max(p.id) FROM discussion_posts p WHERE p.thread_id = discussion_threads.id), 0),
  opening_hidden = EXISTS (
    SELECT 1 FROM discussion_posts p
    WHERE p.thread_id = discussion_threads.id AND p.depth = 0 AND p.hidden_at IS NOT NULL)
"""


def upgrade() -> None:
    with op.batch_alter_table("discussion_threads", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reply_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("visible_reply_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("last_post_id", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("opening_hidden", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.drop_index("ix_discussion_threads_course_activity")
        batch_op.drop_index("ix_discussion_threads_course_module")
        batch_op.create_index("ix_discussion_threads_course_order", ["course_id", *ORDER])
        batch_op.create_index(
            "ix_discussion_threads_module_order", ["course_id", "module_id", *ORDER]
        )
        batch_op.create_index("ix_discussion_threads_item_order", ["course_id", "item_id", *ORDER])
    op.execute(BACKFILL)
    with op.batch_alter_table("discussion_reads", schema=None) as batch_op:
        batch_op.create_index("ix_discussion_reads_username", ["username", "thread_id"])


def downgrade() -> None:
    with op.batch_alter_table("discussion_reads", schema=None) as batch_op:
        batch_op.drop_index("ix_discussion_reads_username")
    with op.batch_alter_table("discussion_threads", schema=None) as batch_op:
        batch_op.drop_index("ix_discussion_threads_item_order")
        batch_op.drop_index("ix_discussion_threads_module_order")
        batch_op.drop_index("ix_discussion_threads_course_order")
        batch_op.create_index(
            "ix_discussion_threads_course_activity", ["course_id", "last_activity_at"]
        )
        batch_op.create_index("ix_discussion_threads_course_module", ["course_id", "module_id"])
        batch_op.drop_column("opening_hidden")
        batch_op.drop_column("last_post_id")
        batch_op.drop_column("visible_reply_count")
        batch_op.drop_column("reply_count")
