from django.conf import settings
from django.utils import timezone

from .context import RequestContext, reset_request_context, set_request_context


def client_ip(request) -> str | None:
    """The client's address for the audit log: REMOTE_ADDR, unless settings.TRUSTED_PROXY_COUNT names
    how many reverse proxies in front append to X-Forwarded-For; then the address the outermost of them
    saw (the same hop allauth's throttling uses). Without trusted proxies the header is ignored: any
    client can write it."""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if count > 0 and len(forwarded) >= count:
        return forwarded[-count] or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Records the client's IP for the audit log and resets the time zone after each request.

    Workspace-scoped views activate the workspace's time zone themselves (core.views, core.api);
    this middleware makes sure it does not leak into the next request served by the same thread.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_request_context(
            RequestContext(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:300])
        )
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
            reset_request_context(token)
