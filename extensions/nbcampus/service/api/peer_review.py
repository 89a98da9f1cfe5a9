"""Peer review: my peer-reviewed items, asking for a submission to review (a reservation
with the anonymous notebook), giving a review, my received reviews and grade, flagging an
unfair review, self-assessment, calibration on staff-assessed examples; for graders, the
queue (with each reviewer's reviewing score) and overrides.

The rules are the school's (``school.peer_review``): enrolled learners take part (anyone else
403; asking to review before submitting one's own work, or before passing the calibration
examples: 403); nothing waiting to review is a
409 with the reason; a reservation that expired is 410. Reviewers and authors never see each
other's names.
"""

from __future__ import annotations

from pathlib import Path

from tornado import web

from nbcampus.school.core.api import utcnow
from nbcampus.school.peer_review import api as peer_review
from nbcampus.service.base import APIHandler
from nbcampus.service.endpoints import accepts, answers, requires, signed_in
from nbcampus.service.schemas import peer_review as schemas


def number(value: str, what: str) -> int:
    """A reservation or review id from the path (404 for anything but a number)."""
    if not value.isdigit() or len(value) > 18:
        raise web.HTTPError(404, f"no {what} {value!r}")
    return int(value)


class MyPeerReviewsHandler(APIHandler):
    @signed_in
    @answers(200, schemas.PEER_ITEMS)
    async def get(self, course_id: str) -> None:
        """My peer-reviewed items: phases and due dates, reviews given and received, my grade
        once I may see it, the reservation I hold."""
        found = await self.in_db(peer_review.my_peer_reviews, self.permissions, course_id, utcnow())
        self.write_json(found)


class AllocationsHandler(APIHandler):
    @signed_in
    @answers(201, schemas.PEER_ALLOCATION, description="a new reservation")
    @answers(200, schemas.PEER_ALLOCATION, description="the reservation I already hold")
    @answers(409, None, description="nothing of my cohort waits for a review, or the phase closed")
    async def post(self, course_id: str, item: str) -> None:
        """Ask for a submission of my cohort to review: the least reviewed, then the oldest,
        never my own nor one I reviewed; reserved for the course's reservation hours."""
        found, created = await self.in_db(
            peer_review.ask_for_work,
            self.permissions,
            course_id,
            item,
            Path(self.campus.exchange_dir),
            utcnow(),
        )
        self.write_json(found, status=201 if created else 200)


class ReviewHandler(APIHandler):
    @signed_in
    @accepts(schemas.PEER_REVIEW_BODY)
    @answers(201, schemas.PEER_REVIEW_GIVEN)
    @answers(410, None, description="the reservation expired")
    async def post(self, allocation_id: str) -> None:
        """Review the submission I hold: a level per criterion, comments."""
        number_ = number(allocation_id, "reservation")
        given = await self.in_db(
            peer_review.give_review, self.permissions, number_, self.body, utcnow()
        )
        self.write_json(given, status=201)


class ReceivedHandler(APIHandler):
    @signed_in
    @answers(200, schemas.PEER_RECEIVED)
    async def get(self, course_id: str, item: str) -> None:
        """The reviews my work received (numbered reviewers) and my grade once I may see it."""
        found = await self.in_db(peer_review.received, self.permissions, course_id, item, utcnow())
        self.write_json(found)


class FlagHandler(APIHandler):
    @signed_in
    @accepts(schemas.PEER_FLAG)
    @answers(200, schemas.PEER_FLAGGED)
    async def post(self, review_id: str) -> None:
        """Report a review of my work as unfair, with a reason (to the staff queue)."""
        number_ = number(review_id, "review")
        flagged = await self.in_db(
            peer_review.flag_review, self.permissions, number_, self.body["reason"], utcnow()
        )
        self.write_json(flagged)


class SelfAssessmentHandler(APIHandler):
    @signed_in
    @accepts(schemas.PEER_REVIEW_BODY)
    @answers(201, schemas.PEER_REVIEW_GIVEN)
    async def post(self, course_id: str, item: str) -> None:
        """Assess my own submission against the rubric, once (where the course asks for it)."""
        given = await self.in_db(
            peer_review.self_assess, self.permissions, course_id, item, self.body, utcnow()
        )
        self.write_json(given, status=201)


class CalibrationHandler(APIHandler):
    @signed_in
    @answers(200, schemas.PEER_CALIBRATION)
    @answers(404, None, description="the item has no calibration examples")
    async def get(self, course_id: str, item: str) -> None:
        """The next calibration example I have not passed, with the rubric (or calibrated)."""
        found = await self.in_db(peer_review.next_example, self.permissions, course_id, item)
        self.write_json(found)

    @signed_in
    @accepts(schemas.PEER_CALIBRATION_BODY)
    @answers(200, schemas.PEER_CALIBRATION_CHECKED)
    @answers(409, None, description="not the next example I have to pass")
    async def post(self, course_id: str, item: str) -> None:
        """Assess the next calibration example: per criterion, whether my level agrees with
        the staff's; their levels and explanation once it passed."""
        checked = await self.in_db(
            peer_review.practise, self.permissions, course_id, item, self.body, utcnow()
        )
        self.write_json(checked)


class QueueHandler(APIHandler):
    @requires("grade")
    @answers(200, schemas.PEER_QUEUE)
    async def get(self, course_id: str, item: str) -> None:
        """Submissions short of reviews, with their age, and flagged reviews (graders)."""
        found = await self.in_db(
            peer_review.staff_queue, self.permissions, course_id, item, utcnow()
        )
        self.write_json(found)


class OverridesHandler(APIHandler):
    @requires("grade")
    @accepts(schemas.PEER_OVERRIDE)
    @answers(200, schemas.PEER_OVERRIDDEN)
    async def post(self, course_id: str, item: str) -> None:
        """Set a learner's peer grade with a reason (audited); it counts as their grade."""
        body = self.body
        done = await self.in_db(
            peer_review.override,
            self.permissions,
            course_id,
            item,
            body["username"],
            float(body["score"]),
            body["reason"],
            utcnow(),
        )
        self.write_json(done)


default_handlers = [
    ("/api/courses/{course}/peer-reviews", MyPeerReviewsHandler),
    ("/api/courses/{course}/peer-reviews/{item}/allocations", AllocationsHandler),
    ("/api/peer-allocations/{allocation}/review", ReviewHandler),
    ("/api/courses/{course}/peer-reviews/{item}/received", ReceivedHandler),
    ("/api/peer-reviews/{review}/flag", FlagHandler),
    ("/api/courses/{course}/peer-reviews/{item}/self", SelfAssessmentHandler),
    ("/api/courses/{course}/peer-reviews/{item}/calibration", CalibrationHandler),
    ("/api/courses/{course}/peer-reviews/{item}/queue", QueueHandler),
    ("/api/courses/{course}/peer-reviews/{item}/overrides", OverridesHandler),
]
