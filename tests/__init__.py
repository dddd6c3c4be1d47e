"""Cross-app tests. The helpers here walk the project's URL resolver so that the isolation matrix, the
role matrix and the schema checks cover every route, including routes added after the tests were written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

_ROUTE_KWARG = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")
_REGEX_KWARG = re.compile(r"\(\?P<(?P<name>\w+)>")

SCOPE_KWARGS = ("workspace_id", "organization_id")


@dataclass(frozen=True)
class Route:
    """One URL pattern of the project, with the prefixes of the resolvers that include it."""

    route: str  # e.g. "api/v1/workspaces/<int:workspace_id>/members/"
    callback: object
    name: str | None
    is_regex: bool  # some part is a regular expression (admin, static) and cannot be filled by name

    @property
    def kwargs(self) -> list[str]:
        names = [m.group("name") for m in _ROUTE_KWARG.finditer(self.route)]
        if self.is_regex:
            names += [m.group("name") for m in _REGEX_KWARG.finditer(self.route)]
        return names

    @property
    def view_class(self):
        return getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/v1/")

    @property
    def scope_kwarg(self) -> str | None:
        for name in SCOPE_KWARGS:
            if name in self.kwargs:
                return name
        return None

    def path(self, values: dict) -> str:
        """The URL with each `<converter:name>` replaced by `values[name]`."""
        assert not self.is_regex, f"{self.route}: use path() (not re_path) for routes with ids"
        return "/" + _ROUTE_KWARG.sub(lambda m: str(values[m.group("name")]), self.route)

    def allowed_methods(self) -> list[str]:
        """The HTTP methods the view answers (besides OPTIONS/HEAD)."""
        view_class = self.view_class
        if view_class is None:  # a function view: try them all (405 is an acceptable answer there)
            return ["GET", "POST", "PUT", "PATCH", "DELETE"]
        capabilities = self.required_capabilities()
        if capabilities:
            return sorted(capabilities)
        return sorted(
            m.upper()
            for m in view_class.http_method_names
            if m not in ("options", "head") and hasattr(view_class, m)
        )

    def required_capabilities(self) -> dict | None:
        """The view's method -> capability map (some views compute it from their init arguments)."""
        view_class = self.view_class
        if view_class is None or not hasattr(view_class, "required_capabilities"):
            return None
        initkwargs = getattr(self.callback, "view_initkwargs", None) or getattr(
            self.callback, "initkwargs", {}
        )
        return dict(view_class(**initkwargs).required_capabilities)

    def __str__(self) -> str:
        return self.route


def iter_routes(resolver: URLResolver | None = None, prefix: str = "", is_regex: bool = False):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        part = str(pattern.pattern)
        regex = is_regex or not isinstance(pattern.pattern, RoutePattern)
        if isinstance(pattern, URLResolver):
            yield from iter_routes(pattern, prefix + part, regex)
        elif isinstance(pattern, URLPattern):
            yield Route(prefix + part, pattern.callback, pattern.name, regex)


def all_routes() -> list[Route]:
    return list(iter_routes())


def api_routes() -> list[Route]:
    return [route for route in all_routes() if route.is_api]


def scoped_routes() -> list[Route]:
    """Every route (API and dashboard) whose URL names a workspace or an organization."""
    return [route for route in all_routes() if route.scope_kwarg]
