"""Schemas of peer review: my peer-reviewed items, reservations, reviews, calibration, the
staff queue."""

from __future__ import annotations

from nbcampus.service.schemas.common import (
    ANY_OBJECT,
    BOOLEAN,
    INTEGER,
    NAME,
    NUMBER,
    STRING,
    TIME,
    array,
    nullable,
    obj,
)
from nbcampus.service.schemas.discussion import BODY_CHARS
from nbcampus.service.schemas.enrolment import REASON

CRITERION_ID = {"type": "string", "minLength": 1, "maxLength": 64}
COMMENT = {"type": "string", "maxLength": BODY_CHARS}
LEVELS = {
    "type": "object",
    "additionalProperties": {"type": "integer", "minimum": 0},
    "propertyNames": CRITERION_ID,
    "maxProperties": 20,
}

# requests
PEER_REVIEW_BODY = obj(
    {
        "levels": LEVELS,
        "comments": {
            "type": "object",
            "additionalProperties": COMMENT,
            "propertyNames": CRITERION_ID,
            "maxProperties": 20,
        },
        "comment": COMMENT,
    },
    ["levels"],
    description="a level (its index in the criterion's levels) for every criterion of the "
    "rubric, optional comments per criterion and overall (markdown, at most the discussion's "
    "body size)",
)
PEER_CALIBRATION_BODY = obj(
    {"index": {"type": "integer", "minimum": 0, "maximum": 9}, "levels": LEVELS},
    ["index", "levels"],
    description="my assessment of calibration example ``index`` (the next one I have not "
    "passed): a level index for every criterion of the rubric",
)
PEER_FLAG = obj({"reason": REASON}, ["reason"], description="why the review is unfair")
PEER_OVERRIDE = obj(
    {"username": NAME, "score": {"type": "number", "minimum": 0}, "reason": REASON},
    ["username", "score", "reason"],
    description="the learner's peer grade in rubric points (0 to the rubric's maximum)",
)

# answers
LEVEL = obj({"index": INTEGER, "points": NUMBER, "description": STRING})
RUBRIC = array(obj({"id": STRING, "title": STRING, "levels": array(LEVEL)}))
PEER_GRADE = obj(
    {
        "score": NUMBER,
        "max_score": NUMBER,
        "criteria": array(obj({"id": STRING, "median": nullable(NUMBER)})),
        "flexible": BOOLEAN,
        "override": BOOLEAN,
        "reviews": INTEGER,
    },
    description="medians per criterion of the peer reviews, their sum; flexible: fewer "
    "reviews sufficed after the wait; override: set by staff",
)
HELD = obj({"allocation_id": INTEGER, "expires_at": TIME})
CALIBRATION_STATUS = obj(
    {"examples": INTEGER, "passed": INTEGER, "calibrated": BOOLEAN},
    description="the calibration examples, how many I passed; calibrated: all of them, so I "
    "may review peers",
)
REVIEWING = obj(
    {"score": NUMBER, "compared": INTEGER},
    description="how close my peer reviews come to the median of each submission's reviews "
    "(0 to 100), over the reviews compared (of submissions with 2 or more); informational",
)
PEER_ITEM = obj(
    {
        "item": STRING,
        "title": STRING,
        "module": STRING,
        "rubric": RUBRIC,
        "reviews_required": INTEGER,
        "reviews_wanted": INTEGER,
        "self_assessment": BOOLEAN,
        "phase": {"enum": ["submission", "review", "closed"]},
        "submission_due_at": TIME,
        "review_due_at": TIME,
        "submitted": BOOLEAN,
        "reviews_given": INTEGER,
        "reviews_received": INTEGER,
        "grade": nullable(PEER_GRADE),
        "why": nullable(STRING),
        "held": nullable(HELD),
        "calibration": nullable(CALIBRATION_STATUS),
        "reviewing": nullable(REVIEWING),
    }
)
PEER_ITEMS = obj({"items": array(PEER_ITEM)}, description="my peer-reviewed items")
NOTEBOOK = {
    **ANY_OBJECT,
    "description": "nbformat 4 JSON: the submission as the grader executed it, hidden tests "
    "removed, metadata and the author's name stripped",
}
PEER_ALLOCATION = obj(
    {
        "allocation_id": INTEGER,
        "expires_at": TIME,
        "item": STRING,
        "rubric": RUBRIC,
        "notebook": NOTEBOOK,
        "html": {**STRING, "description": "the notebook as inert HTML: safe to insert"},
    }
)
PEER_REVIEW_GIVEN = obj({"review_id": INTEGER, "reviews_given": INTEGER})
RECEIVED_REVIEW = obj(
    {
        "review_id": INTEGER,
        "reviewer": {**STRING, "description": "Reviewer 1, Reviewer 2... (never a name)"},
        "levels": {"type": "object", "additionalProperties": INTEGER},
        "points": {"type": "object", "additionalProperties": NUMBER},
        "comments": {"type": "object", "additionalProperties": STRING},
        "comments_html": {"type": "object", "additionalProperties": STRING},
        "comment": STRING,
        "comment_html": STRING,
        "created_at": TIME,
        "flagged": BOOLEAN,
    }
)
PEER_RECEIVED = obj(
    {
        "item": STRING,
        "reviews": array(RECEIVED_REVIEW),
        "self": nullable(RECEIVED_REVIEW),
        "grade": nullable(PEER_GRADE),
        "why": nullable(STRING),
    },
    description="grade null with why until I gave the reviews required (or while my work "
    "waits for reviews)",
)
VERDICT = {"enum": ["agrees", "too high", "too low"]}
PEER_CALIBRATION = obj(
    {
        "item": STRING,
        "examples": INTEGER,
        "passed": INTEGER,
        "calibrated": BOOLEAN,
        "index": nullable(INTEGER),
        "answer_html": nullable({**STRING, "description": "the example answer: safe to insert"}),
        "tolerance": NUMBER,
        "rubric": RUBRIC,
    },
    description="the next calibration example I have not passed (index null and calibrated "
    "true once I passed them all)",
)
PEER_CALIBRATION_CHECKED = obj(
    {
        "item": STRING,
        "index": INTEGER,
        "passed": BOOLEAN,
        "criteria": {"type": "object", "additionalProperties": VERDICT},
        "reference": nullable({"type": "object", "additionalProperties": INTEGER}),
        "explanation_html": nullable(STRING),
        "examples": INTEGER,
        "calibrated": BOOLEAN,
    },
    description="per criterion, my level against the staff's; the reference levels and the "
    "explanation (safe HTML) only once the example is passed (null before)",
)
PEER_FLAGGED = obj({"review_id": INTEGER, "flagged": BOOLEAN, "flagged_at": TIME})
PEER_QUEUE = obj(
    {
        "short": array(
            obj(
                {
                    "submission_id": STRING,
                    "username": STRING,
                    "reviews": INTEGER,
                    "wanted": INTEGER,
                    "age_seconds": INTEGER,
                }
            )
        ),
        "flagged": array(
            obj(
                {
                    "review_id": INTEGER,
                    "submission_id": STRING,
                    "username": STRING,
                    "reviewer": STRING,
                    "reason": STRING,
                    "flagged_at": TIME,
                    "levels": {"type": "object", "additionalProperties": INTEGER},
                    "points": {"type": "object", "additionalProperties": NUMBER},
                    "comment": STRING,
                }
            )
        ),
        "reviewers": array(
            obj(
                {
                    "username": STRING,
                    "reviews_given": INTEGER,
                    "reviewing_score": nullable(NUMBER),
                    "compared": INTEGER,
                }
            )
        ),
    },
    description="short: submissions with fewer reviews than wanted, oldest first; flagged: "
    "reviews learners reported; reviewers: each reviewer's reviews and reviewing score "
    "(informational, not in any grade)",
)
PEER_OVERRIDDEN = obj({"username": STRING, "item": STRING, "grade": nullable(PEER_GRADE)})
