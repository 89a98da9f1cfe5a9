"""Sending what waits for platforms: the queued score posts (with their line items) and roster
syncs. Each step commits on its own, so a failure leaves the record true."""

from __future__ import annotations

from sqlalchemy import select

from nbcampus.school.core.api import CampusError, Database
from nbcampus.school.lti.client import PlatformClient, PlatformError
from nbcampus.school.lti.grades import (
    due_posts,
    gradable_items,
    post_failed,
    post_sent,
    queue_course,
    record_line_item,
)
from nbcampus.school.lti.models import LtiContext, LtiLineItem
from nbcampus.school.lti.platforms import Platform, find_platform
from nbcampus.school.lti.roster import RosterSync, apply_roster
from nbcampus.school.lti.settings import LtiSettings


def send_scores(db: Database, client: PlatformClient, settings: LtiSettings) -> int:
    """Send the posts now due; the number sent."""
    platforms = settings.platforms()
    with db.session() as session:
        jobs = due_posts(session)
    sent = 0
    for job in jobs:
        platform = find_platform(platforms, job.issuer)
        try:
            if platform is None:
                raise PlatformError(f"platform {job.issuer} is no longer registered", 404)
            url = job.line_item_url
            if url is None:
                url = client.line_item(platform, job.lineitems_url, job.course_id, job.item)
                with db.session() as session:
                    url = record_line_item(session, job.context_pk, job.item.id, url)
            status = client.post_score(platform, url, job.body)
        except (PlatformError, KeyError, ValueError) as e:
            status_code = getattr(e, "status", None)
            with db.session() as session:
                post_failed(
                    session,
                    job.id,
                    str(e),
                    status_code,
                    settings.max_post_attempts,
                    settings.retry_base_seconds,
                )
            continue
        with db.session() as session:
            post_sent(session, job.id, status)
        sent += 1
    return sent


def sync_course(
    db: Database, client: PlatformClient, settings: LtiSettings, course_id: str
) -> dict[str, object]:
    """``nbcampus lti sync COURSE``: rosters of the course's linked SPOC contexts, then every
    score queued again and sent. Returns what was done."""
    platforms = settings.platforms()
    with db.session() as session:
        contexts = [
            (c.id, c.issuer, c.memberships_url)
            for c in session.scalars(select(LtiContext).where(LtiContext.course_id == course_id))
        ]
    rosters: dict[str, RosterSync | str] = {}
    for context_pk, issuer, memberships_url in contexts:
        platform = find_platform(platforms, issuer)
        if platform is None or not memberships_url:
            continue
        rosters[str(context_pk)] = sync_roster(db, client, platform, context_pk, memberships_url)
    columns = ensure_line_items(db, client, settings, course_id)
    with db.session() as session:
        queued = queue_course(session, course_id)
    return {
        "rosters": rosters,
        "line_items": columns,
        "queued": queued,
        "sent": send_scores(db, client, settings),
    }


def ensure_line_items(
    db: Database, client: PlatformClient, settings: LtiSettings, course_id: str
) -> int:
    """Every exercise and quiz of the course has its column in each linked LMS course (found
    by resourceId or made); the number of columns the platforms hold for them."""
    platforms = settings.platforms()
    with db.session() as session:
        items = gradable_items(session, course_id)
        known = set(
            session.execute(
                select(LtiLineItem.context_pk, LtiLineItem.item_id)
                .join(LtiContext, LtiContext.id == LtiLineItem.context_pk)
                .where(LtiContext.course_id == course_id)
            ).all()
        )
        contexts = [
            (c.id, c.issuer, c.lineitems_url)
            for c in session.scalars(
                select(LtiContext).where(
                    LtiContext.course_id == course_id, LtiContext.lineitems_url.is_not(None)
                )
            )
        ]
    count = 0
    for context_pk, issuer, lineitems_url in contexts:
        platform = find_platform(platforms, issuer)
        if platform is None:
            continue
        for item in items:
            if (context_pk, item.id) not in known:
                url = client.line_item(platform, lineitems_url, course_id, item)
                with db.session() as session:
                    record_line_item(session, context_pk, item.id, url)
            count += 1
    return count


def sync_roster(
    db: Database, client: PlatformClient, platform: Platform, context_pk: int, url: str
) -> RosterSync | str:
    """One LMS course's roster applied; a message instead when it cannot be (not a SPOC)."""
    try:
        members = client.members(platform, url)
    except PlatformError as e:
        return str(e)
    with db.session() as session:
        context = session.get(LtiContext, context_pk)
        try:
            return apply_roster(session, platform, context, members)
        except CampusError as e:
            return e.message
