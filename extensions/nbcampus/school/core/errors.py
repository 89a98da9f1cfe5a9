"""Errors the service's logic raises; handlers turn them into 4xx answers with the message."""

from __future__ import annotations


class CampusError(Exception):
    """A refusal with an HTTP status and a message for the caller."""

    status = 400

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class NotFound(CampusError):
    status = 404


class Forbidden(CampusError):
    status = 403


class Conflict(CampusError):
    status = 409
