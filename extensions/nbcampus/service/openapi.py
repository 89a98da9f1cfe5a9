"""The OpenAPI 3 document of the service's API (a test checks it against the routes)."""

from __future__ import annotations

import json
import sys
from typing import Any

from nbcampus import __version__

_ERROR = {
    "description": "refused, with a message",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
_JSON = {"content": {"application/json": {"schema": {"type": "object"}}}}


def _op(
    summary: str,
    *,
    body: dict[str, Any] | None = None,
    ok: str = "200",
    params: list[str] = (),
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "parameters": [
            {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
            for p in params
        ]
        + [
            {
                "name": q,
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": d,
            }
            for q, d in (query or {}).items()
        ],
        "responses": {
            ok: {"description": "success", **_JSON},
            "400": _ERROR,
            "401": _ERROR,
            "403": _ERROR,
            "404": _ERROR,
        },
    }
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return op


def _obj(properties: dict[str, Any], required: list[str] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


_S = {"type": "string"}
C, CU, CI = ["course"], ["course", "username"], ["course", "item"]
CA = ["course", "assignment"]
_ZIP_BODY = {
    "required": True,
    "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
}


def _zip(op: dict[str, Any]) -> dict[str, Any]:
    """An operation answering with a ZIP archive."""
    op["responses"]["200"] = {
        "description": "a ZIP archive",
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
    }
    return op


def _pdf(op: dict[str, Any]) -> dict[str, Any]:
    """An operation answering with a PDF."""
    op["responses"]["200"] = {
        "description": "a PDF document",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
    return op


def _jose(op: dict[str, Any]) -> dict[str, Any]:
    """An operation answering with a compact JWS."""
    op["responses"]["200"] = {
        "description": "a compact JWS (header.payload.signature)",
        "content": {"application/jose": {"schema": {"type": "string"}}},
    }
    return op


def _public(op: dict[str, Any]) -> dict[str, Any]:
    """An operation that needs no login."""
    op["security"] = []
    return op


PATHS: dict[str, dict[str, Any]] = {
    "/api/": {"get": _op("Service version and the caller's name")},
    "/api/openapi.json": {"get": _op("This document (no login needed)")},
    "/api/courses": {"get": _op("The catalog: published courses with seats and my status")},
    "/api/courses/{course}": {"get": _op("One course", params=C)},
    "/api/courses/{course}/enrolments": {
        "get": _op(
            "Learners of the course (report scope)",
            params=C,
            query={"status": "enrolled, waitlisted or unenrolled"},
        ),
        "post": _op(
            "Enrol myself (with an invite code for a SPOC), or as staff enrol someone",
            params=C,
            ok="201",
            body=_obj({"code": _S, "username": _S, "reason": _S}),
        ),
    },
    "/api/courses/{course}/enrolments/{username}": {
        "get": _op("One enrolment with its deadlines", params=CU),
        "delete": _op(
            "Unenrol (myself, or as staff)", params=CU, query={"reason": "why, for the audit trail"}
        ),
        "patch": _op(
            "Move a learner to another cohort or track (staff)",
            params=CU,
            body=_obj(
                {"cohort": _S, "track": {"enum": ["audit", "verified"]}, "reason": _S}, ["reason"]
            ),
        ),
    },
    "/api/courses/{course}/roster": {
        "post": {
            **_op(
                "Invite people by name: a CSV with a username column (staff)",
                params=C,
                query={"reason": "why"},
            ),
            "requestBody": {
                "required": True,
                "content": {"text/csv": {"schema": {"type": "string"}}},
            },
        }
    },
    "/api/courses/{course}/deadlines": {
        "get": _op(
            "Due dates of a learner (default: me)",
            params=C,
            query={"username": "a learner (report scope)"},
        )
    },
    "/api/courses/{course}/deadlines/{item}": {
        "post": _op(
            "Override a due date for a learner (extension) or a cohort (staff)",
            params=CI,
            ok="201",
            body=_obj(
                {
                    "due_at": {"type": "string", "format": "date-time"},
                    "username": _S,
                    "cohort": _S,
                    "reason": _S,
                },
                ["due_at", "reason"],
            ),
        )
    },
    "/api/courses/{course}/audit": {
        "get": _op("The course's audit trail (staff)", params=C, query={"limit": "at most 5000"})
    },
    "/api/me/enrolments": {"get": _op("My courses, cohorts, tracks and deadlines")},
    "/api/admin/sync": {
        "post": _op("Publish the course folders again and release changed material (admin)")
    },
    "/api/courses/{course}/lessons": {
        "get": _zip(_op("The course's lesson files (enrolled or staff)", params=C))
    },
    "/api/exchange/assignments": {
        "get": _op(
            "Released assignments of my courses, with my submissions and feedback",
            query={"course": "one course"},
        )
    },
    "/api/exchange/courses/{course}/assignments/{assignment}/release": {
        "get": _zip(_op("The current release of an assignment (enrolled or staff)", params=CA)),
        "post": {
            **_op("Release an assignment from a ZIP of its files (teach)", params=CA, ok="201"),
            "requestBody": _ZIP_BODY,
        },
    },
    "/api/exchange/courses/{course}/assignments/{assignment}/submissions": {
        "get": _op(
            "Submissions to grade (grade scope)",
            params=CA,
            query={"latest": "1: each learner's newest only"},
        ),
        "post": {
            **_op(
                "Submit: a new immutable attempt, timestamped by the server", params=CA, ok="201"
            ),
            "requestBody": _ZIP_BODY,
        },
    },
    "/api/exchange/submissions/{submission}": {
        "get": _zip(
            _op(
                "A submission's files with the server's timestamp.txt (owner or grader)",
                params=["submission"],
            )
        )
    },
    "/api/exchange/submissions/{submission}/feedback": {
        "get": _zip(
            _op("Released feedback of a submission (owner or grader)", params=["submission"])
        ),
        "post": {
            **_op(
                "Release feedback files for a submission (grade scope)",
                params=["submission"],
                ok="201",
            ),
            "requestBody": _ZIP_BODY,
        },
    },
    "/api/courses/{course}/quizzes/{quiz}": {
        "get": _op(
            "A quiz as I see it: questions without key, options in my order, my attempts",
            params=["course", "quiz"],
        )
    },
    "/api/courses/{course}/quizzes/{quiz}/attempts": {
        "post": _op(
            "Submit quiz answers: scored by the service, within attempts and due date",
            params=["course", "quiz"],
            ok="201",
            body=_obj({"answers": {"type": "object"}}, ["answers"]),
        )
    },
    "/api/courses/{course}/dashboard/{section}": {
        "get": _op(
            "Dashboard data (grade scope): enrolment, activity, grades, quiz_items or at_risk",
            params=["course", "section"],
            query={
                "cohort": "one cohort",
                "idle_days": "at risk after this many days without activity (7)",
                "format": "csv for a download",
            },
        )
    },
    "/api/courses/{course}/assignments/{assignment}/grading": {
        "get": _op(
            "Grading jobs by state and every grade of an assignment (grade scope)",
            params=["course", "assignment"],
        ),
        "post": _op(
            "Queue grading: latest attempts, all attempts or only failed ones, for everyone or "
            "one learner (grade scope)",
            params=["course", "assignment"],
            ok="202",
            body=_obj(
                {
                    "learner": {"type": "string"},
                    "only": {"type": "string", "enum": ["latest", "all", "failed"]},
                }
            ),
        ),
    },
    "/api/courses/{course}/assignments/{assignment}/feedback/release": {
        "post": _op(
            "Release the feedback of graded latest attempts to learners (grade scope)",
            params=["course", "assignment"],
        ),
    },
    "/api/courses/{course}/grades/{submission}/cells": {
        "post": _op(
            "Grade a manual part or override a score; audited (grade scope)",
            params=["course", "submission"],
            body=_obj(
                {
                    "notebook": {"type": "string"},
                    "grade_id": {"type": "string"},
                    "points": {"type": "number"},
                    "comment": {"type": "string"},
                    "reason": {"type": "string"},
                },
                ["notebook", "grade_id", "points", "reason"],
            ),
        ),
    },
    "/api/courses/{course}/grades/{submission}/graded": {
        "get": _zip(
            _op(
                "The graded notebooks of a submission, hidden tests included (grade scope)",
                params=["course", "submission"],
            )
        ),
    },
    "/api/courses/{course}/report": {
        "get": _op(
            "The course report, one line per cohort and their total: enrolled, active, completion,"
            " time per module, connections, grades, certificates (report scope, or a cohort's)",
            params=["course"],
            query={"cohort": "one cohort", "format": "csv for a download"},
        )
    },
    "/api/courses/{course}/report/learners": {
        "get": _op(
            "The learners' report, one line per learner with the last activity (report scope, "
            "or a cohort's: that cohort's learners only)",
            params=["course"],
            query={"cohort": "one cohort", "format": "csv for a download"},
        )
    },
    "/api/me/progress": {
        "get": _op(
            "My own line of the learners' report in a course",
            query={"course": "the course (required)"},
        )
    },
    "/api/me/grades": {
        "get": _op(
            "My submissions with their grade once feedback is released",
            query={"course": "only this course"},
        ),
    },
    "/api/me/activity": {
        "get": _op(
            "The notebooks of a course I have worked in, from my own activity: {course, "
            "notebooks: [{notebook, first_at, last_at, seconds, executions}]}",
            query={"course": "the course id (required)"},
        ),
        "post": _op(
            "Record a batch of my learning activity (connections, notebooks opened, active "
            "seconds, executions); the server's clock stamps it, the module comes from the "
            "notebook's path",
            ok="202",
            body=_obj(
                {
                    "events": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": 200,
                        "items": _obj(
                            {
                                "course_id": _S,
                                "kind": {
                                    "type": "string",
                                    "enum": ["connect", "open", "active", "execute"],
                                },
                                "notebook": {"type": "string", "maxLength": 500},
                                "seconds": {"type": "integer", "minimum": 0, "maximum": 3600},
                                "count": {"type": "integer", "minimum": 0, "maximum": 10000},
                            },
                            ["course_id", "kind"],
                        ),
                    }
                },
                ["events"],
            ),
        ),
    },
    "/api/me/certificates": {
        "get": _op(
            "My certificates: {certificates: [{id, course_id, number, issued_at, revoked_at, "
            "pdf_url, assertion_url, verify_url}]}"
        ),
    },
    "/api/courses/{course}/certificates": {
        "get": _op("Every certificate of the course (grade scope)", params=C),
        "post": _op(
            "Issue certificates to every eligible learner, or one (teach scope); 409 when the "
            "one learner is not eligible, with why",
            body=_obj({"learner": _S}),
            ok="201",
            params=C,
        ),
    },
    "/api/courses/{course}/certificates/eligibility": {
        "get": _op(
            "Who is eligible and what each learner still misses (grade scope)",
            params=C,
            query={"learner": "only this learner"},
        ),
    },
    "/api/courses/{course}/certificates/approvals/{username}": {
        "post": _op(
            "Approve a learner for the certificate (teach scope; audited); issues it when that "
            "was all that was missing",
            body=_obj({"reason": _S}, ["reason"]),
            ok="201",
            params=CU,
        ),
    },
    "/api/certificates/{certificate}/pdf": {
        "get": _pdf(
            _op("The certificate as a PDF (its learner, or staff)", params=["certificate"])
        ),
    },
    "/api/certificates/{certificate}/assertion": {
        "get": _jose(
            _op(
                "The signed Open Badges 2.0 assertion, a compact JWS (its learner, or staff)",
                params=["certificate"],
            )
        ),
    },
    "/api/certificates/{certificate}/revoke": {
        "post": _op(
            "Revoke a certificate (teach scope of its course; audited)",
            body=_obj({"reason": _S}, ["reason"]),
            params=["certificate"],
        ),
    },
    "/api/certificates/{certificate}/reissue": {
        "post": _op(
            "Revoke a certificate and issue its learner a new one with today's facts (teach "
            "scope; audited)",
            body=_obj({"reason": _S}, ["reason"]),
            ok="201",
            params=["certificate"],
        ),
    },
    "/api/verify/{certificate}": {
        "get": _public(
            _op(
                "Public check, no login: {status: valid|revoked|unknown, certificate: facts, "
                "revoked_at, reason}; 404 for unknown",
                params=["certificate"],
            )
        ),
    },
    "/api/certificates/public-key": {
        "get": _public(_op("The school's signing key: an Open Badges CryptographicKey (no login)")),
    },
    "/api/certificates/issuer": {
        "get": _public(_op("The school as an Open Badges issuer Profile (no login)")),
    },
    "/api/certificates/revocations": {
        "get": _public(_op("The Open Badges RevocationList of the school (no login)")),
    },
}


def openapi_document(server_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "nbcampus service",
            "version": __version__,
            "description": "Catalog, enrolment, cohorts and deadlines of an nbcampus school. "
            "Authenticate with a JupyterHub token ('Authorization: token ...') or the service's OAuth cookie.",
        },
        "servers": [{"url": server_url}],
        "paths": PATHS,
        "components": {
            "schemas": {
                "Error": _obj({"status": {"type": "integer"}, "message": _S}, ["status", "message"])
            },
            "securitySchemes": {
                "hubToken": {"type": "apiKey", "in": "header", "name": "Authorization"}
            },
        },
        "security": [{"hubToken": []}],
    }


def main() -> None:
    """Print the document as JSON (``python -m nbcampus.service.openapi``): the Courses panel's
    TypeScript types are generated from it when the lab extension is built."""
    json.dump(openapi_document("/services/nbcampus"), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
