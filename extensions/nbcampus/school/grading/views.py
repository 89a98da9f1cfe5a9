"""What staff and learners see of a grade (learners never see who graded a cell)."""

from __future__ import annotations

from typing import Any

from nbcampus.school.grading.models import Grade


def grade_view(grade: Grade, *, staff: bool) -> dict[str, Any]:
    view = {
        "submission_id": grade.submission_id,
        "course_id": grade.course_id,
        "assignment_id": grade.assignment_id,
        "username": grade.username,
        "state": grade.state,
        "score": grade.score,
        "raw_score": grade.raw_score,
        "max_score": grade.max_score,
        "credit_percent": grade.credit_percent,
        "graded_at": grade.graded_at.isoformat() if grade.graded_at else None,
        "released_at": grade.released_at.isoformat() if grade.released_at else None,
        "cells": [
            {k: v for k, v in c.items() if staff or k != "graded_by"} for c in grade.cells or []
        ],
    }
    if staff:
        view["review_reasons"] = grade.review_reasons
    return view
