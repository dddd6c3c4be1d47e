"""The OpenAPI schema tells the whole truth about every operation (issue 17, acceptance 3).

`KawoAutoSchema` is drf-spectacular's AutoSchema plus what the views' own `@extend_schema` need not repeat:
- the error body (`{"error": {"code", "message", "fields"}}`, core.api.exception_handler) documented for
  every status the base classes and the error handler can answer: 400 where the operation takes a body or
  query parameters, 401 where it needs a signed-in caller, 403 everywhere (a role without the capability,
  an invalid review link), 404 where the path names a workspace,
  organization or object, 409 (core.errors.Conflict) on writes. A view's own description of a code wins.
- times of day (DRF's TimeField, "09:00:00") as RFC 3339 `partial-time`: OpenAPI's `time` format means
  JSON Schema's full-time, which requires a UTC offset that a posting slot's wall-clock time never has.

tests/test_schemathesis.py proves the schema against the running API.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorSerializer(serializers.Serializer):
    """Every failure: `{"error": {"code", "message", "fields": {field: [messages]}}}`."""

    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    400: "Invalid input: field-level errors in `error.fields`.",
    401: "No valid credentials (sign in, or send a personal access token).",
    403: "The caller's role does not allow this.",
    404: "Not found, or not in this workspace or organization.",
    409: "The object's state does not allow this now.",
}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
PARTIAL_TIME = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"


def _needs_a_caller(view) -> bool:
    from rest_framework.permissions import AllowAny

    permissions = getattr(view, "permission_classes", ())
    return bool(permissions) and not all(p is AllowAny for p in permissions)


class KawoAutoSchema(AutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        parameters = operation.get("parameters", [])
        codes = []
        if "requestBody" in operation or any(p.get("in") == "query" for p in parameters):
            codes.append(400)
        if _needs_a_caller(self.view):
            codes.append(401)
        codes.append(403)  # a role without the capability, or a review link that is not valid
        if any(p.get("in") == "path" for p in parameters):
            codes.append(404)
        if self.method in WRITE_METHODS:
            codes.append(409)
        responses = operation.setdefault("responses", {})
        for code in codes:
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]), str(code)
                )
        return operation

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.TimeField) and schema.get("format") == "time":
            schema.update(format="partial-time", pattern=PARTIAL_TIME)
        return schema
