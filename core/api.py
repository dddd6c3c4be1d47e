"""The API's tenancy base classes and its one error format.

Every API view inherits one of three bases:
- `WorkspaceScopedAPIView`: the workspace comes from the URL (`workspace_id`), is resolved once in
  `initial()`, the caller's access is checked (no access: 404, never 403, so there is no existence
  oracle), then the capability this HTTP method needs (missing: 403). `get_queryset()` always filters by
  that workspace. The hooks that do this are sealed: a subclass that overrides them fails at import.
- `OrganizationScopedAPIView`: the same for `organization_id` and organization membership.
- `UserScopedAPIView`: things that belong to the signed-in person (me, tokens, invitation acceptance).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils import timezone
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from . import tenancy
from .errors import DomainError

SAFE_ALIASES = {"HEAD": "GET", "OPTIONS": "GET"}


class _SealedHooks:
    sealed_hooks: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        sealed: set[str] = set()
        for base in cls.__mro__[1:]:
            sealed.update(base.__dict__.get("sealed_hooks", ()))
        overridden = sealed & set(cls.__dict__)
        if overridden:
            raise TypeError(
                f"{cls.__name__} must not override {sorted(overridden)}: tenancy hooks are sealed"
            )


class ScopedAPIView(_SealedHooks, GenericAPIView):
    """Common root of the three bases; the isolation test checks every API view descends from it."""

    # HTTP method -> capability the caller needs. Methods not listed answer 405.
    required_capabilities: dict[str, str | None] = {}

    def capability_for(self, method: str) -> str | None:
        method = SAFE_ALIASES.get(method, method)
        if method not in self.required_capabilities:
            raise exceptions.MethodNotAllowed(method)
        return self.required_capabilities[method]

    def _scoped_object(self):
        # Same as GenericAPIView.get_object but always from the scoped queryset; bad ids are a 404 too.
        queryset = self.filter_queryset(self.get_queryset())
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        try:
            obj = queryset.get(**{self.lookup_field: lookup})
        except (queryset.model.DoesNotExist, ValueError, TypeError):
            raise Http404 from None
        self.check_object_permissions(self.request, obj)
        return obj


class WorkspaceScopedAPIView(ScopedAPIView):
    # `dispatch` is sealed too: it is what calls `initial`, so overriding it could skip the checks.
    sealed_hooks = ("dispatch", "initial", "get_queryset", "get_object")
    # The field that links the queryset's model to its workspace.
    workspace_field = "workspace"
    workspace = None
    access = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, IsAuthenticated, throttles
        access = tenancy.workspace_access_for(user=request.user, workspace_id=kwargs.get("workspace_id"))
        if access is None:
            raise Http404
        self.access, self.workspace = access, access.workspace
        capability = self.capability_for(request.method)
        if capability and not access.can(capability):
            raise exceptions.PermissionDenied(f"Your role does not allow {capability}.")
        timezone.activate(access.workspace.tzinfo)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        queryset = self.queryset.filter(**{self.workspace_field: self.workspace})
        return self.refine_queryset(queryset)

    def refine_queryset(self, queryset):
        """Narrow further (filters, select_related). Receives a queryset already scoped to the workspace."""
        return queryset

    def get_object(self):
        return self._scoped_object()


class OrganizationScopedAPIView(ScopedAPIView):
    sealed_hooks = ("dispatch", "initial", "get_queryset", "get_object")
    organization_field = "organization"
    organization = None
    membership = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        membership = tenancy.organization_membership_for(
            user=request.user, organization_id=kwargs.get("organization_id")
        )
        if membership is None:
            raise Http404
        self.membership, self.organization = membership, membership.organization
        capability = self.capability_for(request.method)
        if capability and not tenancy.organization_role_allows(membership.role, capability):
            raise exceptions.PermissionDenied(f"Your organization role does not allow {capability}.")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        return self.refine_queryset(self.queryset.filter(**{self.organization_field: self.organization}))

    def refine_queryset(self, queryset):
        """Narrow further; receives a queryset already scoped to the organization."""
        return queryset

    def get_object(self):
        return self._scoped_object()


class UserScopedAPIView(ScopedAPIView):
    """Views about the signed-in person only; querysets must filter by `request.user`."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.capability_for(request.method)


# --- one error format ------------------------------------------------------------------------------


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            fields.update(_flatten(value, name))
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            fields[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                fields.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        fields[prefix or "non_field_errors"] = [str(detail)]
    return fields


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def exception_handler(exc, context):
    """`{"error": {"code", "message", "fields"}}` for every failure the API reports."""
    if isinstance(exc, DomainError):
        body = error_body(exc.code, exc.message, exc.fields)
        body["error"].update(getattr(exc, "extra", {}))  # e.g. the times to choose from (core.timezones)
        return Response(body, status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = {name: messages for name, messages in _flatten(exc.detail).items() if messages}
        fields = fields or {"non_field_errors": [str(exceptions.ValidationError.default_detail)]}
        first_field, messages = next(iter(fields.items()))
        message = messages[0] if first_field == "non_field_errors" else f"{first_field}: {messages[0]}"
        response.data = error_body("invalid", message, fields)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = error_body(str(code), str(detail))
    return response


def created(data) -> Response:
    return Response(data, status=status.HTTP_201_CREATED)
