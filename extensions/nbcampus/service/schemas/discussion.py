"""Schemas of discussions: threads, posts, votes, answers, moderation."""

from __future__ import annotations

from nbcampus.service.schemas.common import (
    ANY_OBJECT,
    BOOLEAN,
    INTEGER,
    NAME,
    STRING,
    TIME,
    array,
    nullable,
    obj,
)
from nbcampus.service.schemas.enrolment import REASON

#: the largest markdown body of a post (school.discussion's MAX_BODY_CHARS)
BODY_CHARS = 20_000
TITLE = {"type": "string", "minLength": 1, "maxLength": 300, "pattern": r"\S"}
BODY = {"type": "string", "minLength": 1, "maxLength": BODY_CHARS, "pattern": r"\S"}
KIND = {"enum": ["question", "discussion"]}
ID = {"type": "integer", "minimum": 1}
SOURCE = {"anyOf": [{"type": "string"}, array({"type": "string"})]}

# requests
CELL = obj(
    {
        "cell_type": {"enum": ["code", "markdown", "raw"]},
        "source": SOURCE,
        "outputs": array(ANY_OBJECT, maxItems=20),
        "execution_count": nullable(INTEGER),
        "metadata": ANY_OBJECT,
        "id": STRING,
        "notebook": {"type": "string", "maxLength": 500},
        "cell_id": {"type": "string", "maxLength": 200},
    },
    ["cell_type", "source"],
    description="one nbformat 4 cell as the learner sees it, and the notebook it is in; "
    "outputs keep text and PNG only; a cell with hidden tests is refused",
)
NEW_THREAD = obj(
    {
        "title": TITLE,
        "body": BODY,
        "kind": KIND,
        "module": NAME,
        "item": {"type": "string", "minLength": 1, "maxLength": 300},
        "private": BOOLEAN,
        "cohort": NAME,
        "cell": CELL,
    },
    ["title", "body", "kind"],
    description="a thread on the course, a module or an item; private questions are seen by "
    "their author and the staff only; staff may address one cohort",
)
THREAD_CHANGE = obj(
    {"pinned": BOOLEAN, "closed": BOOLEAN, "reason": REASON, "title": TITLE, "body": BODY},
    [],
    minProperties=1,
    description="pinned, closed (with a reason): moderators; title, body: the author",
)
NEW_POST = obj(
    {"body": BODY, "parent_id": ID},
    ["body"],
    description="a reply, or with parent_id a comment under a reply",
)
PREVIEW = obj({"body": BODY}, ["body"], description="markdown to render, not posted")
POST_CHANGE = obj({"body": BODY}, ["body"])
VOTE = obj({"value": {"enum": [-1, 0, 1]}}, ["value"], description="0 takes a vote back")
ACCEPT = obj({"accepted": BOOLEAN}, [], description="default true; false takes it back")
FLAG = obj({"reason": REASON}, ["reason"])
HIDE = obj({"hidden": BOOLEAN, "reason": REASON}, ["reason"], description="hidden: default true")
READ = obj({"post_id": ID}, [], description="default: the whole thread")
FOLLOW = obj({"following": BOOLEAN}, ["following"])
MUTE = obj(
    {
        "username": NAME,
        "minutes": {"type": "integer", "minimum": 1, "maximum": 527_040},
        "reason": REASON,
    },
    ["username", "minutes", "reason"],
)

# answers
AUTHOR_NAME = {
    **STRING,
    "description": "the name shown for the author (their display name, else the username): "
    "text, to be escaped",
}
_summary = {
    "id": INTEGER,
    "course_id": STRING,
    "place": {"enum": ["course", "module", "item"]},
    "module": nullable(STRING),
    "item": nullable(STRING),
    "kind": KIND,
    "private": BOOLEAN,
    "course_wide": BOOLEAN,
    "title": STRING,
    "author": STRING,
    "author_name": AUTHOR_NAME,
    "created_at": TIME,
    "last_activity_at": TIME,
    "pinned": BOOLEAN,
    "closed": BOOLEAN,
    "close_reason": nullable(STRING),
    "answered": BOOLEAN,
    "accepted_post_id": nullable(INTEGER),
    "has_cell": BOOLEAN,
    "votes": INTEGER,
    "replies": INTEGER,
    "unread": INTEGER,
}
THREAD_summary = obj(_summary)
THREADS = obj(
    {"threads": array(THREAD_summary), "total": INTEGER, "unread": INTEGER},
    description="pinned first, then latest activity; unread: the caller's unread posts",
)
POST = obj(
    {
        "id": INTEGER,
        "thread_id": INTEGER,
        "parent_id": nullable(INTEGER),
        "depth": {"enum": [0, 1, 2]},
        "author": STRING,
        "author_name": AUTHOR_NAME,
        "body": STRING,
        "html": {**STRING, "description": "the body rendered and sanitised: safe to insert"},
        "created_at": TIME,
        "edited_at": nullable(TIME),
        "edits": INTEGER,
        "votes": INTEGER,
        "my_vote": {"enum": [-1, 0, 1]},
        "mentions": array(STRING),
        "hidden": BOOLEAN,
        "hidden_by": STRING,
        "hide_reason": STRING,
    },
    [
        "id",
        "thread_id",
        "parent_id",
        "depth",
        "author",
        "author_name",
        "body",
        "html",
        "created_at",
        "edited_at",
        "edits",
        "votes",
        "my_vote",
        "mentions",
        "hidden",
    ],
    description="hidden_by and hide_reason: staff only (learners never receive hidden posts)",
)
SNAPSHOT = obj(
    {
        "cell_type": STRING,
        "source": STRING,
        "outputs": array(ANY_OBJECT),
        "execution_count": nullable(INTEGER),
        "notebook": STRING,
        "cell_id": STRING,
    }
)
THREAD = obj({**_summary, "cell": nullable(SNAPSHOT), "posts": array(POST), "following": BOOLEAN})
PREVIEWED = obj(
    {"html": {**STRING, "description": "the body rendered and sanitised: safe to insert"}},
    ["html"],
)
VOTED = obj({"post_id": INTEGER, "votes": INTEGER, "my_vote": {"enum": [-1, 0, 1]}})
ACCEPTED = obj({"thread_id": INTEGER, "accepted_post_id": nullable(INTEGER)})
FLAGGED = obj({"post_id": INTEGER, "flagged": BOOLEAN})
UNREAD = obj({"thread_id": INTEGER, "unread": INTEGER})
FOLLOWING = obj({"thread_id": INTEGER, "following": BOOLEAN})
MUTED = obj({"username": STRING, "until": TIME, "reason": STRING})
HISTORY = obj(
    {
        "post_id": INTEGER,
        "edits": array(
            obj({"edited_by": STRING, "edited_at": TIME, "body": STRING, "title": nullable(STRING)})
        ),
    }
)
PRIVATE_QUESTIONS = obj(
    {
        "questions": array(
            obj(
                {
                    "thread_id": INTEGER,
                    "title": STRING,
                    "author": STRING,
                    "module": nullable(STRING),
                    "item": nullable(STRING),
                    "asked_at": TIME,
                    "age_seconds": INTEGER,
                    "hidden": BOOLEAN,
                }
            )
        )
    },
    description="unanswered private questions, oldest first",
)

# announcements and live sessions
NEW_ANNOUNCEMENT = obj(
    {"title": TITLE, "body": BODY, "cohort": NAME},
    ["title", "body"],
    description="to the whole course, or to one cohort",
)
ANNOUNCEMENT = obj(
    {
        "id": INTEGER,
        "course_id": STRING,
        "cohort": nullable(STRING),
        "author": STRING,
        "author_name": AUTHOR_NAME,
        "title": STRING,
        "body": STRING,
        "html": {**STRING, "description": "the body rendered and sanitised: safe to insert"},
        "created_at": TIME,
    }
)
ANNOUNCEMENTS = obj({"announcements": array(ANNOUNCEMENT)}, description="newest first")
NEW_SESSION = obj(
    {
        "title": TITLE,
        "starts_at": TIME,
        "minutes": {"type": "integer", "minimum": 1, "maximum": 720},
        "meeting_url": {"type": "string", "maxLength": 2000, "pattern": "^https://"},
        "cohort": NAME,
    },
    ["title", "starts_at", "minutes", "meeting_url"],
)
LIVE_SESSION = obj(
    {
        "id": INTEGER,
        "course_id": STRING,
        "cohort": nullable(STRING),
        "title": STRING,
        "starts_at": TIME,
        "ends_at": TIME,
        "minutes": INTEGER,
        "meeting_url": STRING,
        "created_by": STRING,
    },
    description="times in UTC (ISO 8601): clients show them in the learner's time zone",
)
LIVE_SESSIONS = obj({"sessions": array(LIVE_SESSION)}, description="soonest first")
CALENDAR_KEY = obj(
    {"url": STRING},
    description="the feed's address, shown once: keep it private (a new key revokes it)",
)
CALENDAR = {"type": "string", "contentMediaType": "text/calendar"}
ATTENDANCE = obj(
    {"usernames": array(NAME, minItems=1, maxItems=1000), "attended": BOOLEAN},
    ["usernames"],
    description="learners enrolled in the course; attended: default true",
)
ATTENDED = obj({"session_id": INTEGER, "attended": array(STRING)})
