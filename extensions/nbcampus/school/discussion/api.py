"""What other packages may use of discussion: everything else is private to it."""

from nbcampus.school.discussion.acts import flag_post, hide_post, mute_member, private_questions
from nbcampus.school.discussion.announcements import (
    AnnouncementAudience,
    announce,
    announcement_audience,
    announcements,
    schedule,
    sessions_starting,
    upcoming_sessions,
)
from nbcampus.school.discussion.attendance import record_attendance
from nbcampus.school.discussion.audience import Audience, post_audience
from nbcampus.school.discussion.calendar import calendar, key_owner, new_key
from nbcampus.school.discussion.cells import snapshot
from nbcampus.school.discussion.figures import (
    COHORT_MEASURES,
    LEARNER_MEASURES,
    accepted_answers,
    cohort_figures,
    learner_figures,
)
from nbcampus.school.discussion.listing import list_threads
from nbcampus.school.discussion.markdown import MAX_BODY_CHARS, render
from nbcampus.school.discussion.members import Viewer, viewer
from nbcampus.school.discussion.models import KINDS, Post, Thread
from nbcampus.school.discussion.moderation import (
    DEFAULT_RATE_LIMIT,
    RateLimit,
    TooManyPosts,
    flag,
    hide,
    mute,
    private_queue,
)
from nbcampus.school.discussion.posts import (
    accept,
    edit_post,
    find_post,
    history,
    open_thread,
    post_views,
    read_thread,
    reply,
    set_following,
    vote,
)
from nbcampus.school.discussion.threads import find_thread, start_thread, update_thread

__all__ = [
    "AnnouncementAudience",
    "announcement_audience",
    "Audience",
    "post_audience",
    "record_attendance",
    "announce",
    "announcements",
    "schedule",
    "sessions_starting",
    "upcoming_sessions",
    "calendar",
    "key_owner",
    "new_key",
    "COHORT_MEASURES",
    "LEARNER_MEASURES",
    "accepted_answers",
    "cohort_figures",
    "learner_figures",
    "DEFAULT_RATE_LIMIT",
    "KINDS",
    "MAX_BODY_CHARS",
    "Post",
    "RateLimit",
    "Thread",
    "TooManyPosts",
    "Viewer",
    "accept",
    "edit_post",
    "find_post",
    "find_thread",
    "flag",
    "hide",
    "history",
    "list_threads",
    "mute",
    "open_thread",
    "post_views",
    "flag_post",
    "hide_post",
    "mute_member",
    "private_questions",
    "private_queue",
    "read_thread",
    "render",
    "reply",
    "set_following",
    "snapshot",
    "start_thread",
    "update_thread",
    "viewer",
    "vote",
]
