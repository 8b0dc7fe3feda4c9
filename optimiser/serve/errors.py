"""The one error the workbench's services raise for a request they refuse, with its HTTP status."""

from __future__ import annotations

from ..errors import InputError


class Refused(Exception):
    """A request the server will not carry out: ``status`` (404 unknown, 409 conflict, 422 bad value) and a
    message a planner can act on; ``issues`` are ``(key, message)`` pairs shown beside the form's fields."""

    def __init__(self, status: int, message: str, issues: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.issues = issues or []

    @classmethod
    def from_input_error(cls, error: InputError, status: int = 422) -> Refused:
        """An InputError as a refusal: each issue keyed by its scenario key (``column``, dotted), its message."""
        issues = [(issue.column or "", issue.message) for issue in error.issues]
        return cls(status, "; ".join(str(issue) for issue in error.issues), issues)

    def body(self) -> dict:
        """The JSON the API answers with."""
        return {"detail": self.message, "issues": [{"key": key, "message": message} for key, message in self.issues]}
