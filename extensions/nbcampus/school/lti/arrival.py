"""What a verified launch leads to, in one transaction: the account, the LMS course's link,
the enrolment, and then the hub (with the staff groups and the item to open), the course
link page (an instructor's first launch) or the deep linking picker."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import active_courses
from nbcampus.school.lti.deep_links import Choice, choices, find_choice
from nbcampus.school.lti.launch import (
    DEEP_LINK_REQUEST,
    Launch,
    LaunchRefused,
    keep_launch,
    kept_launch,
)
from nbcampus.school.lti.links import (
    INSTRUCTOR,
    LEARNER,
    account_of,
    admit,
    context_of,
    link,
    resource_link_of,
    role_of,
    staff_group,
)
from nbcampus.school.lti.models import LtiContext
from nbcampus.school.lti.platforms import Platform

HUB, LINK, DEEP_LINK = "hub", "link", "deep-link"


@dataclass(frozen=True)
class Arrival:
    """Where a launch goes next (``step``) and what that step needs."""

    step: str
    username: str
    course_id: str = ""
    #: the user's LMS staff groups of the course (hub roles), none for a learner
    groups: tuple[str, ...] = ()
    #: what the resource link opens: course, kind, item (deep linking's custom parameters)
    target: dict[str, str] = field(default_factory=dict)
    title: str = ""
    #: the kept launch the next page posts back (course link, deep linking)
    launch_id: str = ""
    items: tuple[Choice, ...] = ()
    #: the courses the platform's instructors may link: (id, title, cohort names)
    courses: tuple[tuple[str, str, tuple[str, ...]], ...] = ()


def arrive(session: Session, launch: Launch) -> Arrival:
    """The school's part of a verified launch."""
    username = account_of(session, launch)
    context = context_of(session, launch)
    role = role_of(launch.roles)
    if launch.message_type == DEEP_LINK_REQUEST:
        if role != INSTRUCTOR:
            raise LaunchRefused("only instructors add nbcampus items to an LMS course", 403)
        if context is None:
            return _to_link(session, launch, username)
        return _to_deep_link(session, launch, username, context.course_id)
    if context is None:
        if role != INSTRUCTOR:
            raise LaunchRefused(
                "this LMS course is not linked to an nbcampus course yet: its instructor "
                "links it at their first launch",
                409,
            )
        return _to_link(session, launch, username)
    return _to_hub(session, launch, username, context)


def arrive_linked(
    session: Session,
    launch_id: str,
    platforms: list[Platform],
    course_id: str,
    cohort: str | None,
) -> Arrival:
    """The instructor picked the course (and cohort) of the LMS course on the link page."""
    launch, username = kept_launch(session, launch_id, platforms)
    context = link(session, launch, course_id, cohort, username)
    if launch.message_type == DEEP_LINK_REQUEST:
        return _to_deep_link(session, launch, username, context.course_id)
    return _to_hub(session, launch, username, context)


def picked(
    session: Session,
    launch_id: str,
    platforms: list[Platform],
    course_id: str,
    kind: str,
    item: str,
) -> tuple[Launch, Choice]:
    """The instructor's deep linking pick, an item of the LMS course's linked course only."""
    launch, _ = kept_launch(session, launch_id, platforms)
    context = context_of(session, launch)
    if context is None or context.course_id != course_id:
        raise LaunchRefused("this LMS course is not linked to that course", 403)
    return launch, find_choice(session, course_id, kind, item)


def _to_hub(session: Session, launch: Launch, username: str, context: LtiContext) -> Arrival:
    role = admit(session, launch, context, username)
    return Arrival(
        step=HUB,
        username=username,
        course_id=context.course_id,
        groups=() if role == LEARNER else (staff_group(role, context.course_id),),
        target=resource_link_of(launch),
        title=context.title or context.course_id,
    )


def _to_link(session: Session, launch: Launch, username: str) -> Arrival:
    courses = tuple(
        (c.id, c.title, tuple(sorted(x.name for x in c.cohorts)))
        for c in active_courses(session)
        if c.id in launch.platform.courses
    )
    return Arrival(
        step=LINK,
        username=username,
        launch_id=keep_launch(session, launch, username),
        courses=courses,
    )


def _to_deep_link(session: Session, launch: Launch, username: str, course_id: str) -> Arrival:
    return Arrival(
        step=DEEP_LINK,
        username=username,
        course_id=course_id,
        launch_id=keep_launch(session, launch, username),
        items=tuple(choices(session, course_id)),
    )
