"""Schemas of progress: activity, reports, dashboards and a learner's own line."""

from __future__ import annotations

from nbcampus.school.progress.api import ACTIVITY_KINDS, MAX_EVENTS, MAX_SEGMENTS
from nbcampus.service.schemas.common import (
    BOOLEAN,
    INTEGER,
    NUMBER,
    STRING,
    TIME,
    array,
    nullable,
    obj,
    open_obj,
)

_SECONDS = {"type": "number", "minimum": 0}

# requests
ACTIVITY = obj(
    {
        "events": array(
            obj(
                {
                    "course_id": {"type": "string", "minLength": 1, "maxLength": 255},
                    "kind": {"enum": list(ACTIVITY_KINDS)},
                    "notebook": nullable({"type": "string", "minLength": 1, "maxLength": 500}),
                    "seconds": nullable({"type": "integer", "minimum": 0, "maximum": 3600}),
                    "count": nullable({"type": "integer", "minimum": 0, "maximum": 10_000}),
                    "segments": array(
                        array(_SECONDS, minItems=2, maxItems=2),
                        maxItems=MAX_SEGMENTS,
                        description="watch events: the [start, end] seconds of a video played",
                    ),
                },
                ["course_id", "kind"],
            ),
            minItems=1,
            description=f"at most {MAX_EVENTS} events per batch (413 above)",
        )
    },
    ["events"],
)

# answers
ACCEPTED = obj({"accepted": INTEGER})
NOTEBOOKS = obj(
    {
        "course": STRING,
        "notebooks": array(
            obj(
                {
                    "notebook": STRING,
                    "first_at": TIME,
                    "last_at": TIME,
                    "seconds": INTEGER,
                    "executions": INTEGER,
                }
            )
        ),
        "lessons": array(
            obj(
                {
                    "module": STRING,
                    "file": STRING,
                    "status": {"enum": ["not started", "in progress", "done"]},
                    "watched": {**_SECONDS, "maximum": 1, "description": "video: share watched"},
                },
                ["module", "file", "status"],
            )
        ),
    }
)
#: a report line: the named measures, and one column per module (its own names)
LEARNER_LINE = open_obj(
    {
        "username": STRING,
        "display_name": {**STRING, "description": "the name shown: display name, else username"},
        "cohort": nullable(STRING),
        "track": STRING,
        "enrolled_at": TIME,
        "last_activity": nullable(TIME),
        "active_7d": BOOLEAN,
        "active_30d": BOOLEAN,
        "connections": INTEGER,
        "minutes_total": NUMBER,
        "assignments_passed": INTEGER,
        "assignments": INTEGER,
        "quizzes_attempted": INTEGER,
        "quizzes": INTEGER,
        # THE weighted course score in percent (school/progress/score.py); null: nothing graded
        "score": nullable(NUMBER),
        "completed": nullable(BOOLEAN),
        "completed_at": nullable(TIME),
        "days_to_complete": nullable(NUMBER),
        # discussions (school/discussion/figures.py)
        "discussion_messages": INTEGER,
        "questions_asked": INTEGER,
        "questions_answered": INTEGER,
        "discussion_connections": INTEGER,
        "sessions_attended": INTEGER,
        # peer reviews given (school/peer_review/figures.py)
        "peer_reviews_given": INTEGER,
        # video lessons done: watched to their share (school/progress/videos.py)
        "videos_done": INTEGER,
        "certificates": nullable(INTEGER),
    }
)
COHORT_LINE = open_obj({"cohort": nullable(STRING), "enrolled": INTEGER})
COURSE_REPORT = open_obj(
    {
        "course": STRING,
        "cohort": nullable(STRING),
        "columns": array(STRING),
        "cohorts": array(COHORT_LINE),
        "total": COHORT_LINE,
    }
)
LEARNERS_REPORT = obj(
    {
        "course": STRING,
        "cohort": nullable(STRING),
        "columns": array(STRING),
        "rows": array(LEARNER_LINE),
    }
)
MY_PROGRESS = obj({"course": STRING, "username": STRING, "progress": LEARNER_LINE})
DASHBOARD_SECTIONS = ["enrolment", "activity", "grades", "quiz_items", "at_risk"]
DASHBOARD = obj(
    {
        "course": STRING,
        "section": {"enum": DASHBOARD_SECTIONS},
        "cohort": nullable(STRING),
        "rows": array({"type": "object"}),
    }
)
