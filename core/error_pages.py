"""Django's error views, answering the API's JSON error shape for every address under /api/ (an unknown
API address is a JSON 404, not the dashboard's HTML page) and the dashboard's templates elsewhere."""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

from .api import error_body

API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def page_not_found(request, exception):
    if _is_api(request):
        return JsonResponse(error_body("not_found", _("Not found.")), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse(error_body("server_error", _("Something went wrong on our side.")), status=500)
    return defaults.server_error(request)


def permission_denied(request, exception):
    if _is_api(request):
        return JsonResponse(
            error_body("permission_denied", _("You do not have permission to perform this action.")),
            status=403,
        )
    return defaults.permission_denied(request, exception)


def bad_request(request, exception):
    if _is_api(request):
        return JsonResponse(error_body("bad_request", _("Bad request.")), status=400)
    return defaults.bad_request(request, exception)
