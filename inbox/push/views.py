"""The endpoints platforms push to (not pages, not the API: no session, no CSRF; the signature is the
authentication). Each checks, stores the raw body, answers at once; a task processes (inbox.services
.deliveries)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from ..models import InboundDelivery, InboxPushKey
from ..services import deliveries
from . import douyin
from .meta import check_signature as meta_check
from .wechat import PushRefused, check_signature


def _refused(error: PushRefused) -> HttpResponse:
    return HttpResponse(error.reason, status=error.status, content_type="text/plain")


def _body(request) -> bytes:
    """The raw body, refusing more than KAWO_INBOX_PUSH_MAX_BYTES before reading it where it is declared."""
    limit = deliveries.push_max_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise PushRefused("body too large", 413)
    body = request.body
    if len(body) > limit:
        raise PushRefused("body too large", 413)
    return body


@method_decorator(csrf_exempt, name="dispatch")
class WeChatPushView(View):
    """GET: WeChat checks the URL (echostr). POST: a fan's message or an event, plain or encrypted."""

    def get(self, request, url_key):
        key = InboxPushKey.objects.filter(url_key=url_key).first()
        if key is None:
            return HttpResponse(status=404)
        q = request.GET
        try:
            check_signature(q.get("signature", ""), key.token, q.get("timestamp", ""), q.get("nonce", ""))
        except PushRefused as error:
            return _refused(error)
        return HttpResponse(q.get("echostr", ""), content_type="text/plain")

    def post(self, request, url_key):
        key = InboxPushKey.objects.select_related("account").filter(url_key=url_key).first()
        if key is None:
            return HttpResponse(status=404)
        query = {name: request.GET.get(name, "") for name in ("timestamp", "nonce", "encrypt_type")}
        try:
            body = _body(request)
            deliveries.wechat_check(key=key, query={**query, **request.GET.dict()}, body=body)
        except PushRefused as error:
            return _refused(error)
        stored = deliveries.inbound_delivery_store(
            source=InboundDelivery.Source.WECHAT, body=body, push_key=key, nonce=query["nonce"], query=query
        )
        if stored is None:
            return _refused(PushRefused("replayed nonce"))
        # "success" tells WeChat not to retry and not to show the fan an error; replies go out through the
        # customer-service API later.
        return HttpResponse("success", content_type="text/plain")


@method_decorator(csrf_exempt, name="dispatch")
class MetaWebhookView(View):
    """GET: Meta's subscription check (hub.challenge). POST: Page and Instagram events, signed."""

    def get(self, request):
        q = request.GET
        verify_token = getattr(settings, "KAWO_META_VERIFY_TOKEN", "")
        if q.get("hub.mode") != "subscribe" or not verify_token or q.get("hub.verify_token") != verify_token:
            return HttpResponse("bad verify token", status=403, content_type="text/plain")
        return HttpResponse(q.get("hub.challenge", ""), content_type="text/plain")

    def post(self, request):
        try:
            body = _body(request)
            meta_check(
                request.headers.get("X-Hub-Signature-256", ""),
                body,
                settings.PLATFORMS.get("facebook", {}).get("client_secret", ""),
            )
        except PushRefused as error:
            return _refused(error)
        deliveries.inbound_delivery_store(source=InboundDelivery.Source.META, body=body)
        # A body seen before is acknowledged too: Meta retries what it thinks failed, and it was stored.
        return HttpResponse("EVENT_RECEIVED", content_type="text/plain")


@method_decorator(csrf_exempt, name="dispatch")
class DouyinWebhookView(View):
    """POST only: Douyin's URL check (`verify_webhook`, answered with its challenge) and events, signed
    with X-Douyin-Signature (inbox.push.douyin)."""

    def post(self, request):
        try:
            body = _body(request)
            douyin.check_signature(
                request.headers.get("X-Douyin-Signature", ""),
                body,
                settings.PLATFORMS.get("douyin", {}).get("client_secret", ""),
            )
            payload = douyin.envelope(body)
        except PushRefused as error:
            return _refused(error)
        if payload.get("event") == "verify_webhook":
            content = payload.get("content") if isinstance(payload.get("content"), dict) else {}
            return JsonResponse({"challenge": content.get("challenge")})
        deliveries.inbound_delivery_store(
            source=InboundDelivery.Source.DOUYIN, body=body, nonce=request.headers.get("Msg-Id", "")[:64]
        )
        # A retry (same Msg-Id or body) is acknowledged too: it was stored the first time.
        return HttpResponse(status=200)
