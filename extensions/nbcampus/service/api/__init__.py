"""The JSON API: one module per school package, each ending in its ``default_handlers`` list
of (route template, handler), as JupyterHub's apihandlers do."""

from __future__ import annotations

from tornado import web

from nbcampus.service.api import (
    catalog,
    certificates,
    deadlines,
    discussion,
    enrolment,
    exchange,
    grading,
    meta,
    notifications,
    peer_review,
    profiles,
    progress,
    quizzes,
    rewards,
    sessions,
    videos,
)

MODULES = [
    meta,
    catalog,
    enrolment,
    deadlines,
    exchange,
    quizzes,
    grading,
    progress,
    videos,
    certificates,
    discussion,
    sessions,
    peer_review,
    notifications,
    rewards,
    profiles,
]

#: (path template as in the OpenAPI document, handler), in the document's order
ROUTES: list[tuple[str, type[web.RequestHandler]]] = [
    route for module in MODULES for route in module.default_handlers
]
