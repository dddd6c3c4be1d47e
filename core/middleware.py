from django.utils import timezone

from .context import RequestContext, reset_request_context, set_request_context


def client_ip(request) -> str | None:
    # Behind a proxy (production), SECURE_PROXY_SSL_HEADER is set and the proxy appends to X-Forwarded-For;
    # the last hop it added is the client it saw.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[-1].strip() or None
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
