"""Domain events: how one concept reacts to another without importing upward.

A concept low in the layers (grading, quizzes, enrolment) publishes a fact inside the
transaction that records it; concepts higher up (certificates; later notifications,
discussion) subscribe. Subscribers run synchronously, in the publisher's session and
transaction, as direct calls did before: what they write commits or rolls back with the fact.

Subscribers are found through the ``nbcampus.subscribers`` entry point group (each entry
point names a function ``subscribe(bus)`` that calls ``bus.subscribe(...)``), so a package
added later plugs in without the publisher knowing it, as tljh's hooks do.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import entry_points
from typing import Any

from sqlalchemy.orm import Session

log = logging.getLogger("nbcampus")

ENTRY_POINT_GROUP = "nbcampus.subscribers"


@dataclass(frozen=True)
class Event:
    """Something that happened to one learner in one course."""

    course_id: str
    username: str


@dataclass(frozen=True)
class GradeRecorded(Event):
    """A submission's grade was written or changed and counts (state ``graded``)."""

    submission_id: str
    assignment_id: str


@dataclass(frozen=True)
class QuizAttempted(Event):
    """A quiz attempt was scored and recorded."""

    quiz_id: str
    attempt: int


@dataclass(frozen=True)
class TrackChanged(Event):
    """A learner's enrolment moved between the audit and the verified track."""

    track: str


@dataclass(frozen=True)
class FeedbackReleased(Event):
    """A submission's feedback (and so its grade) was released to its learner."""

    submission_id: str
    assignment_id: str


@dataclass(frozen=True)
class CertificateIssued(Event):
    """A certificate was issued (or issued again) to a learner."""

    certificate_id: str


@dataclass(frozen=True)
class DeadlineExtended(Event):
    """A learner was given a new due date for one item (an extension for them)."""

    item_id: str
    due_at: datetime


@dataclass(frozen=True)
class PostCreated(Event):
    """A post was written in a discussion thread (``username``: its author)."""

    thread_id: int
    post_id: int


@dataclass(frozen=True)
class AnnouncementMade(Event):
    """Staff announced something to a course or one cohort (``username``: the author)."""

    announcement_id: int
    cohort_id: int | None


Subscriber = Callable[[Session, Any], None]


class EventBus:
    """Subscribers by event type; loaded from entry points on first use."""

    def __init__(self) -> None:
        self._subscribers: dict[type, list[Subscriber]] = defaultdict(list)
        self._loaded = False
        self._lock = threading.Lock()

    def subscribe(self, event_type: type[Event], subscriber: Subscriber) -> None:
        if subscriber not in self._subscribers[event_type]:
            self._subscribers[event_type].append(subscriber)

    def load(self) -> None:
        with self._lock:
            if self._loaded:
                return
            for entry_point in entry_points(group=ENTRY_POINT_GROUP):
                entry_point.load()(self)
            self._loaded = True

    def subscribers(self, event: Event) -> list[Subscriber]:
        self.load()
        return [s for t, subs in self._subscribers.items() if isinstance(event, t) for s in subs]

    def publish(self, session: Session, event: Event) -> None:
        """Run every subscriber of ``event`` in ``session`` (the publisher's transaction)."""
        session.flush()
        for subscriber in self.subscribers(event):
            subscriber(session, event)


#: the school's one bus
bus = EventBus()


def publish(session: Session, event: Event) -> None:
    """Publish ``event`` on the school's bus, in the caller's transaction."""
    bus.publish(session, event)
