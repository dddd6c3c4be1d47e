"""One error shape for the whole product.

Services raise `DomainError` subclasses with a stable `code`, a human message and, where the error is
about one input, the field it belongs to. The API turns them into
`{"error": {"code", "message", "fields": {field: [messages]}}}` (core.api.exception_handler); the
dashboard shows the message next to the field (core.views.apply_domain_error).
"""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    default_code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        fields: dict[str, list[str]] | None = None,
    ):
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        self.fields: dict[str, list[str]] = dict(fields or {})
        if field:
            self.fields.setdefault(field, []).append(self.message)


class ValidationFailed(DomainError):
    status_code = 400
    default_code = "invalid"


class PermissionRefused(DomainError):
    status_code = 403
    default_code = "permission_denied"


class NotFound(DomainError):
    status_code = 404
    default_code = "not_found"


class Conflict(DomainError):
    status_code = 409
    default_code = "conflict"
