"""Errors that speak Chinese to people and codes to programs (DESIGN rule 7).

Services raise these; views turn them into form errors and the API into 4xx responses with the code.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A request the domain refuses. `code` is stable for programs, `message` is for people."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None, errors=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field
        # Optional detail: {field: [messages]} or a list of row errors for imports.
        self.errors = errors

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        if self.errors is not None:
            data["errors"] = self.errors
        return data


class ValidationFailed(ServiceError):
    status = 400
    code = "validation_failed"


class NotAllowed(ServiceError):
    """The user may not do this (scoping or role)."""

    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    """Someone else changed the object first, or the action was already done."""

    status = 409
    code = "conflict"


class IllegalTransition(ServiceError):
    """The state machine does not allow this step from the current state."""

    status = 409
    code = "illegal_transition"
