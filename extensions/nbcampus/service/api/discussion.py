"""Discussions: a course's threads (placed on the course, a module or an item), their posts,
votes, accepted answers, follows and read marks; moderation (pin, close, hide, mute) and the
staff queue of private questions.

Who may do what is the school's rule (``school.discussion``): members of the course (enrolled
learners, staff, mentors) take part; anyone else gets 403, and a thread or post the caller may
not see is a 404, as if it did not exist.
"""

from __future__ import annotations

from tornado import web

from nbcampus.school.discussion import api as discussion
from nbcampus.service.base import APIHandler
from nbcampus.service.endpoints import accepts, answers, query, signed_in
from nbcampus.service.schemas import discussion as schemas
from nbcampus.service.schemas.common import NAME, STRING

FLAG = {"enum": ["true", "false"]}


def number(value: str, what: str) -> int:
    """A thread or post id from the path (404 for anything but a number)."""
    if not value.isdigit() or len(value) > 18:
        raise web.HTTPError(404, f"no {what} {value!r}")
    return int(value)


class DiscussionHandler(APIHandler):
    @property
    def rate_limit(self) -> discussion.RateLimit:
        return discussion.RateLimit(
            self.campus.discussion_posts_per_window, self.campus.discussion_window_seconds
        )


class ThreadsHandler(DiscussionHandler):
    @signed_in
    @query(
        module=("only threads of this module", NAME),
        item=("only threads of this item (assignment, quiz, lesson file)", STRING),
        kind=("question or discussion", schemas.KIND),
        unanswered=("true: only questions with no answer yet", FLAG),
        followed=("true: only threads I follow", FLAG),
        q=("words searched in titles and posts", {"type": "string", "maxLength": 200}),
        limit=(
            "at most this many threads (default 50)",
            {"type": "integer", "minimum": 1, "maximum": 200},
        ),
        offset=("skip this many threads", {"type": "integer", "minimum": 0}),
    )
    @answers(200, schemas.THREADS)
    async def get(self, course_id: str) -> None:
        """The course's threads I may see, with my unread counts.

        A learner sees the threads of their cohort and the course-wide ones (all of them where
        the course shares discussions across cohorts), never others' private questions or
        hidden posts; staff see everything."""
        arg = self.get_argument
        listing = await self.in_db(
            discussion.list_threads,
            self.permissions,
            course_id,
            module=arg("module", None),
            item=arg("item", None),
            kind=arg("kind", None),
            unanswered=arg("unanswered", "false") == "true",
            followed=arg("followed", "false") == "true",
            q=arg("q", None),
            limit=int(arg("limit", "50")),
            offset=int(arg("offset", "0")),
        )
        self.write_json(listing)

    @signed_in
    @accepts(schemas.NEW_THREAD)
    @answers(201, schemas.THREAD)
    @answers(429, None, description="posting too fast")
    async def post(self, course_id: str) -> None:
        """Start a thread (a question or a discussion), maybe about one notebook cell."""
        body = self.body

        def act(session):
            thread = discussion.start_thread(
                session,
                self.permissions,
                course_id,
                title=body["title"],
                body=body["body"],
                kind=body["kind"],
                module=body.get("module"),
                item=body.get("item"),
                private=body.get("private", False),
                cohort=body.get("cohort"),
                cell=body.get("cell"),
                limit=self.rate_limit,
            )
            session.flush()
            return discussion.open_thread(session, self.permissions, thread.id)

        self.write_json(await self.in_db(act), status=201)


class ThreadHandler(DiscussionHandler):
    @signed_in
    @answers(200, schemas.THREAD)
    async def get(self, thread_id: str) -> None:
        """One thread with its posts as I may see them (replies, comments under them)."""
        number_ = number(thread_id, "thread")
        self.write_json(await self.in_db(discussion.open_thread, self.permissions, number_))

    @signed_in
    @accepts(schemas.THREAD_CHANGE)
    @answers(200, schemas.THREAD)
    async def patch(self, thread_id: str) -> None:
        """Pin, close (with a reason) or reopen a thread (moderators, audited); edit its title
        and body (its author; the former text is kept). All or nothing."""
        number_ = number(thread_id, "thread")

        def act(session):
            discussion.update_thread(session, self.permissions, number_, self.body)
            session.flush()
            return discussion.open_thread(session, self.permissions, number_)

        self.write_json(await self.in_db(act))


class PostsHandler(DiscussionHandler):
    @signed_in
    @accepts(schemas.NEW_POST)
    @answers(201, schemas.POST)
    @answers(409, None, description="the thread is closed")
    @answers(429, None, description="posting too fast")
    async def post(self, thread_id: str) -> None:
        """Reply to a thread, or comment under a reply (two levels)."""
        number_ = number(thread_id, "thread")

        def act(session):
            who, post = discussion.reply(
                session,
                self.permissions,
                number_,
                self.body["body"],
                self.body.get("parent_id"),
                limit=self.rate_limit,
            )
            return discussion.post_views(session, who, [post])[0]

        self.write_json(await self.in_db(act), status=201)


class ReadHandler(DiscussionHandler):
    @signed_in
    @accepts(schemas.READ)
    @answers(200, schemas.UNREAD)
    async def post(self, thread_id: str) -> None:
        """Mark a thread read (up to a post); my unread count over the course afterwards."""
        number_ = number(thread_id, "thread")
        unread = await self.in_db(
            discussion.read_thread, self.permissions, number_, self.body.get("post_id")
        )
        self.write_json({"thread_id": number_, "unread": unread})


class FollowHandler(DiscussionHandler):
    @signed_in
    @accepts(schemas.FOLLOW)
    @answers(200, schemas.FOLLOWING)
    async def post(self, thread_id: str) -> None:
        """Follow a thread, or stop following it."""
        number_ = number(thread_id, "thread")
        following = self.body["following"]
        await self.in_db(discussion.set_following, self.permissions, number_, following)
        self.write_json({"thread_id": number_, "following": following})


class PostHandler(DiscussionHandler):
    @signed_in
    @accepts(schemas.POST_CHANGE)
    @answers(200, schemas.POST)
    async def patch(self, post_id: str) -> None:
        """Edit my post (the former text is kept in its history)."""
        number_ = number(post_id, "post")

        def act(session):
            post = discussion.edit_post(session, self.permissions, number_, self.body["body"])
            session.flush()
            who, _, _ = discussion.find_post(session, self.permissions, number_)
            return discussion.post_views(session, who, [post])[0]

        self.write_json(await self.in_db(act))


class HistoryHandler(DiscussionHandler):
    @signed_in
    @answers(200, schemas.HISTORY)
    async def get(self, post_id: str) -> None:
        """The former texts of a post, oldest first (its author and moderators)."""
        number_ = number(post_id, "post")
        edits = await self.in_db(discussion.history, self.permissions, number_)
        self.write_json({"post_id": number_, "edits": edits})


class VoteHandler(DiscussionHandler):
    @signed_in
    @accepts(schemas.VOTE)
    @answers(200, schemas.VOTED)
    async def post(self, post_id: str) -> None:
        """Vote on a post: 1, -1, or 0 to take my vote back (not on my own posts)."""
        number_ = number(post_id, "post")
        value = self.body["value"]
        post = await self.in_db(discussion.vote, self.permissions, number_, value)
        self.write_json({"post_id": number_, "votes": post.votes, "my_vote": value})


class AcceptHandler(DiscussionHandler):
    @signed_in
    @accepts(schemas.ACCEPT)
    @answers(200, schemas.ACCEPTED)
    async def post(self, post_id: str) -> None:
        """Accept a reply as the answer to its question (the asker or staff), or take it back."""
        number_ = number(post_id, "post")
        accepted = self.body.get("accepted", True)
        thread = await self.in_db(discussion.accept, self.permissions, number_, accepted)
        self.write_json({"thread_id": thread.id, "accepted_post_id": thread.accepted_post_id})


class FlagHandler(DiscussionHandler):
    @signed_in
    @accepts(schemas.FLAG)
    @answers(201, schemas.FLAGGED)
    @answers(409, None, description="already flagged by me")
    async def post(self, post_id: str) -> None:
        """Report a post for abuse (any member who sees it; audited)."""
        number_ = number(post_id, "post")
        await self.in_db(discussion.flag_post, self.permissions, number_, self.body["reason"])
        self.write_json({"post_id": number_, "flagged": True}, status=201)


class HideHandler(DiscussionHandler):
    @signed_in
    @accepts(schemas.HIDE)
    @answers(200, schemas.POST)
    @answers(409, None, description="already hidden (or not hidden)")
    async def post(self, post_id: str) -> None:
        """Hide a post (kept, seen by staff only) or show it again; mentors and staff, audited."""
        number_ = number(post_id, "post")
        post = await self.in_db(
            discussion.hide_post,
            self.permissions,
            number_,
            self.body.get("hidden", True),
            self.body["reason"],
        )
        self.write_json(post)


class MutesHandler(DiscussionHandler):
    @signed_in
    @accepts(schemas.MUTE)
    @answers(201, schemas.MUTED)
    async def post(self, course_id: str) -> None:
        """Mute a member of the course for a time (mentors and staff, audited)."""
        body = self.body
        muted = await self.in_db(
            discussion.mute_member,
            self.permissions,
            course_id,
            body["username"],
            body["minutes"],
            body["reason"],
        )
        self.write_json(muted, status=201)


class PreviewHandler(DiscussionHandler):
    @signed_in
    @accepts(schemas.PREVIEW)
    @answers(200, schemas.PREVIEWED)
    async def post(self) -> None:
        """A post's markdown rendered as it would be shown, before it is posted (nothing kept)."""
        self.write_json({"html": discussion.render(self.body["body"])})


class PrivateQuestionsHandler(DiscussionHandler):
    @signed_in
    @answers(200, schemas.PRIVATE_QUESTIONS)
    async def get(self, course_id: str) -> None:
        """Unanswered private questions to the course staff, oldest first, with their age."""
        questions = await self.in_db(discussion.private_questions, self.permissions, course_id)
        self.write_json({"questions": questions})


default_handlers = [
    ("/api/courses/{course}/threads", ThreadsHandler),
    ("/api/courses/{course}/private-questions", PrivateQuestionsHandler),
    ("/api/courses/{course}/mutes", MutesHandler),
    ("/api/discussion/preview", PreviewHandler),
    ("/api/threads/{thread}", ThreadHandler),
    ("/api/threads/{thread}/posts", PostsHandler),
    ("/api/threads/{thread}/read", ReadHandler),
    ("/api/threads/{thread}/follow", FollowHandler),
    ("/api/posts/{post}", PostHandler),
    ("/api/posts/{post}/history", HistoryHandler),
    ("/api/posts/{post}/vote", VoteHandler),
    ("/api/posts/{post}/accept", AcceptHandler),
    ("/api/posts/{post}/flag", FlagHandler),
    ("/api/posts/{post}/hide", HideHandler),
]
