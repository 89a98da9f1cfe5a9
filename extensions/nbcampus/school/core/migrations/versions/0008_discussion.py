"""discussion threads, posts, edits, votes, flags, follows, reads, mentions, mutes;
announcements, live sessions and their attendance, calendar keys

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 06:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "discussion_mutes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("muted_by", sa.String(length=255), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("muted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_discussion_mutes_course_id_courses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_mutes")),
    )
    with op.batch_alter_table("discussion_mutes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_discussion_mutes_course_username", ["course_id", "username"], unique=False
        )

    op.create_table(
        "discussion_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("module_id", sa.String(length=64), nullable=True),
        sa.Column("item_id", sa.String(length=300), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_post_id", sa.Integer(), nullable=True),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=255), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.Column("cell", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_discussion_threads_cohort_id_cohorts")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_discussion_threads_course_id_courses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_threads")),
    )
    with op.batch_alter_table("discussion_threads", schema=None) as batch_op:
        batch_op.create_index(
            "ix_discussion_threads_course_activity", ["course_id", "last_activity_at"], unique=False
        )
        batch_op.create_index(
            "ix_discussion_threads_course_module", ["course_id", "module_id"], unique=False
        )

    op.create_table(
        "discussion_follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["discussion_threads.id"],
            name=op.f("fk_discussion_follows_thread_id_discussion_threads"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_follows")),
        sa.UniqueConstraint("thread_id", "username", name=op.f("uq_discussion_follows_thread_id")),
    )
    op.create_table(
        "discussion_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_by", sa.String(length=255), nullable=True),
        sa.Column("hide_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["discussion_posts.id"],
            name=op.f("fk_discussion_posts_parent_id_discussion_posts"),
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["discussion_threads.id"],
            name=op.f("fk_discussion_posts_thread_id_discussion_threads"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_posts")),
    )
    with op.batch_alter_table("discussion_posts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_discussion_posts_course_author", ["course_id", "author", "created_at"], unique=False
        )
        batch_op.create_index("ix_discussion_posts_thread", ["thread_id", "id"], unique=False)

    op.create_table(
        "discussion_reads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("last_post_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["discussion_threads.id"],
            name=op.f("fk_discussion_reads_thread_id_discussion_threads"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_reads")),
        sa.UniqueConstraint("thread_id", "username", name=op.f("uq_discussion_reads_thread_id")),
    )
    op.create_table(
        "discussion_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["discussion_posts.id"],
            name=op.f("fk_discussion_flags_post_id_discussion_posts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_flags")),
        sa.UniqueConstraint("post_id", "username", name=op.f("uq_discussion_flags_post_id")),
    )
    op.create_table(
        "discussion_mentions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["discussion_posts.id"],
            name=op.f("fk_discussion_mentions_post_id_discussion_posts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_mentions")),
        sa.UniqueConstraint("post_id", "username", name=op.f("uq_discussion_mentions_post_id")),
    )
    with op.batch_alter_table("discussion_mentions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_discussion_mentions_course_username", ["course_id", "username"], unique=False
        )

    op.create_table(
        "discussion_post_edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("edited_by", sa.String(length=255), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["discussion_posts.id"],
            name=op.f("fk_discussion_post_edits_post_id_discussion_posts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_post_edits")),
    )
    with op.batch_alter_table("discussion_post_edits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_discussion_post_edits_post_id"), ["post_id"], unique=False
        )

    op.create_table(
        "discussion_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["discussion_posts.id"],
            name=op.f("fk_discussion_votes_post_id_discussion_posts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_votes")),
        sa.UniqueConstraint("post_id", "username", name=op.f("uq_discussion_votes_post_id")),
    )

    op.create_table(
        "calendar_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_calendar_keys_key_hash")),
        sa.UniqueConstraint("username", name=op.f("uq_calendar_keys_username")),
    )
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_announcements_cohort_id_cohorts")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_announcements_course_id_courses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
    )
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_announcements_course_created", ["course_id", "created_at"], unique=False
        )
    op.create_table(
        "live_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("meeting_url", sa.String(length=2000), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_live_sessions_cohort_id_cohorts")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_live_sessions_course_id_courses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_sessions")),
    )
    with op.batch_alter_table("live_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_live_sessions_course_starts", ["course_id", "starts_at"], unique=False
        )

    op.create_table(
        "session_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("recorded_by", sa.String(length=255), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_session_attendance_session_id_live_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_attendance")),
        sa.UniqueConstraint(
            "session_id", "username", name=op.f("uq_session_attendance_session_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("session_attendance")
    with op.batch_alter_table("live_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_live_sessions_course_starts")
    op.drop_table("live_sessions")
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.drop_index("ix_announcements_course_created")
    op.drop_table("announcements")
    op.drop_table("calendar_keys")
    op.drop_table("discussion_votes")
    with op.batch_alter_table("discussion_post_edits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_discussion_post_edits_post_id"))

    op.drop_table("discussion_post_edits")
    with op.batch_alter_table("discussion_mentions", schema=None) as batch_op:
        batch_op.drop_index("ix_discussion_mentions_course_username")

    op.drop_table("discussion_mentions")
    op.drop_table("discussion_flags")
    op.drop_table("discussion_reads")
    with op.batch_alter_table("discussion_posts", schema=None) as batch_op:
        batch_op.drop_index("ix_discussion_posts_thread")
        batch_op.drop_index("ix_discussion_posts_course_author")

    op.drop_table("discussion_posts")
    op.drop_table("discussion_follows")
    with op.batch_alter_table("discussion_threads", schema=None) as batch_op:
        batch_op.drop_index("ix_discussion_threads_course_module")
        batch_op.drop_index("ix_discussion_threads_course_activity")

    op.drop_table("discussion_threads")
    with op.batch_alter_table("discussion_mutes", schema=None) as batch_op:
        batch_op.drop_index("ix_discussion_mutes_course_username")

    op.drop_table("discussion_mutes")
