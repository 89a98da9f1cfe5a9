"""Deep linking: an instructor picks a course, module, lesson, exercise or quiz; the tool answers
the platform with a signed LtiDeepLinkingResponse holding one resource link that, launched,
opens that item in the learner's JupyterLab."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from jwcrypto import jwk, jwt
from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import get_course
from nbcampus.school.core.api import CampusError
from nbcampus.school.lti.launch import CLAIM, DEEP_LINKING, Launch, LaunchRefused
from nbcampus.school.quizzes.api import quiz_id_of

KINDS = ("course", "module", "lesson", "exercise", "quiz")


@dataclass(frozen=True)
class Choice:
    """Something of a course an LMS link may open."""

    kind: str
    id: str
    title: str
    #: where it opens in the learner's workspace (relative to their home), "" for the course
    path: str


def choices(session: Session, course_id: str) -> list[Choice]:
    """The course and everything in it an instructor may link, in course order."""
    course = get_course(session, course_id)
    found = [Choice("course", course_id, course.title, "")]
    for module in course.data.get("modules", []):
        found.append(Choice("module", module["id"], module.get("title", module["id"]), ""))
        for lesson in module.get("lessons", []):
            path = lesson.get("file", "")
            found.append(Choice("lesson", path, lesson.get("title", path), f"{course_id}/{path}"))
        for assignment in module.get("assignments", []):
            found.append(
                Choice(
                    "exercise",
                    assignment["id"],
                    assignment.get("title", assignment["id"]),
                    f"{course_id}/{assignment['id']}",
                )
            )
        if module.get("quiz"):
            quiz_id = quiz_id_of(module)
            found.append(Choice("quiz", quiz_id, module["quiz"].get("title", quiz_id), ""))
    return found


def find_choice(session: Session, course_id: str, kind: str, item: str) -> Choice:
    for choice in choices(session, course_id):
        if (choice.kind, choice.id) == (kind, item):
            return choice
    raise CampusError(f"{course_id} has no {kind} {item!r}", status=404)


def deep_link_response(
    key: jwk.JWK, launch: Launch, course_id: str, choice: Choice, launch_url: str
) -> str:
    """The signed LtiDeepLinkingResponse (a JWT) carrying one resource link to ``choice``."""
    settings = launch.deep_linking
    if launch.message_type != "LtiDeepLinkingRequest" or not settings.get("deep_link_return_url"):
        raise LaunchRefused("this launch is not a deep linking request", status=400)
    now = int(time.time())
    item: dict[str, Any] = {
        "type": "ltiResourceLink",
        "title": choice.title,
        "url": launch_url,
        "custom": {"course": course_id, "kind": choice.kind, "item": choice.id},
    }
    claims: dict[str, Any] = {
        "iss": launch.platform.client_id,
        "aud": [launch.platform.issuer],
        "iat": now,
        "exp": now + 600,
        "nonce": secrets.token_urlsafe(16),
        CLAIM + "deployment_id": launch.deployment_id,
        CLAIM + "message_type": "LtiDeepLinkingResponse",
        CLAIM + "version": "1.3.0",
        DEEP_LINKING + "content_items": [item],
    }
    if "data" in settings:
        claims[DEEP_LINKING + "data"] = settings["data"]
    token = jwt.JWT(header={"alg": "RS256", "kid": key.get("kid"), "typ": "JWT"}, claims=claims)
    token.make_signed_token(key)
    return token.serialize()
