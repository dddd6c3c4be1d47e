"""The content API under /api/v1/workspaces/{workspace_id}/: posts (the calendar list, create, edit with
a version, delete, history, duplicate, schedule, reschedule, unschedule, queue, compliance), the live
compliance check, media, campaigns, tag groups and tags, banned words, posting slots and bulk imports;
and, for the signed-in person, the calendar across their workspaces and private iCal feeds.

Each view parses input with an explicit serializer, calls one service or selector and serializes the
result. Reading needs post.view; writing posts post.create / post.edit; scheduling post.schedule;
uploading media.upload; campaigns and slots post.schedule; the tag taxonomy and banned words
workspace.manage.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.api.serializers import ErrorSerializer
from accounts.roles import Capability as C
from core.api import UserScopedAPIView, WorkspaceScopedAPIView, created
from core.pagination import CreatedCursorPagination

from .. import selectors, services
from ..models import BannedWord, Campaign, IcalFeed, MediaAsset, Post, PostingSlot, Tag, TagGroup
from . import serializers as s


def _errors(*codes: int) -> dict:
    descriptions = {
        400: "Invalid input; `error.fields` names the fields.",
        403: "Your role does not allow this.",
        404: "Not found, or not yours to see.",
        409: "Conflict: a stale version, or the post's state forbids this; `error.message` says why.",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=descriptions[code]) for code in codes}


def _ok(serializer, code: int = 200, *errors: int) -> dict:
    return {code: serializer, **_errors(*errors)}


def _validated(serializer_class, data, **context) -> dict:
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


NO_CONTENT = OpenApiResponse(description="Done.")


class CalendarCursorPagination(CursorPagination):
    """Posts in a date range, in time order; a month of a busy workspace takes a few pages."""

    ordering = ("scheduled_at", "id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


def _paginate_posts(view, posts, ranged: bool):
    """A page of posts with their relations as plain rows (four queries), shaped as PostSerializer."""
    view._paginator = CalendarCursorPagination() if ranged else CreatedCursorPagination()
    page = view.paginate_queryset(selectors.post_rows(posts))
    relations = selectors.post_relation_rows([row["id"] for row in page])
    return view.get_paginated_response(s.posts_data(page, relations))


def _fresh(post: Post) -> dict:
    return s.post_data(selectors.with_relations(Post.objects.filter(pk=post.pk)).get())


TIME_NOTE_HEADER = "Kawo-Time-Note"  # how a wall time the clocks skip or repeat was settled (time_choice)


def _noted(response: Response, data: dict) -> Response:
    """The answer, with the `Kawo-Time-Note` header where a clock change moved or chose the time."""
    note = data.get("time_note")
    if note:
        response[TIME_NOTE_HEADER] = note
    return response


def _time_input(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != "time_note"}


# --- posts ------------------------------------------------------------------------------------------


class PostListView(WorkspaceScopedAPIView):
    """GET: the calendar. With `start`/`end` the posts scheduled in [start, end) in time order, else every
    post newest first; filters `accounts`, `platforms`, `campaign`, `tags`, `status`, `author`.
    POST: a new draft with one variant per account."""

    dashboard_page = "content:composer_new"

    queryset = Post.objects.all()
    serializer_class = s.PostSerializer
    required_capabilities = {"GET": C.POST_VIEW, "POST": C.POST_CREATE}

    @extend_schema(
        parameters=[s.CalendarFilterSerializer],
        responses=_ok(s.PostSerializer(many=True), 200, 400),
        summary="Posts (the calendar)",
    )
    def get(self, request, workspace_id):
        filters = _validated(s.CalendarFilterSerializer, request.query_params)
        ranged = "start" in filters or "end" in filters
        posts = selectors.posts_filter(self.get_queryset(), **filters)
        return _paginate_posts(self, posts, ranged)

    @extend_schema(
        request=s.PostCreateSerializer, responses=_ok(s.PostSerializer, 201, 400), summary="Create a post"
    )
    def post(self, request, workspace_id):
        data = _validated(s.PostCreateSerializer, request.data)
        post = services.post_create(actor=request.user, workspace=self.workspace, **_time_input(data))
        return _noted(created(_fresh(post)), data)


class _PostObjectView(WorkspaceScopedAPIView):
    queryset = Post.objects.filter(deleted_at__isnull=True)
    serializer_class = s.PostSerializer
    lookup_url_kwarg = "post_id"


class PostDetailView(_PostObjectView):
    """GET one post; PATCH it with the `version` you edited (stale: 409, nothing saved); DELETE it (the
    post leaves the calendar; variants not yet published are cancelled)."""

    dashboard_page = "content:composer_edit"

    required_capabilities = {"GET": C.POST_VIEW, "PATCH": C.POST_EDIT, "DELETE": C.POST_EDIT}

    def refine_queryset(self, queryset):
        return selectors.with_relations(queryset)

    @extend_schema(responses=_ok(s.PostSerializer, 200, 404), summary="A post")
    def get(self, request, workspace_id, post_id):
        return Response(s.post_data(self.get_object()))

    @extend_schema(
        request=s.PostUpdateSerializer,
        responses=_ok(s.PostSerializer, 200, 400, 404, 409),
        summary="Edit a post",
    )
    def patch(self, request, workspace_id, post_id):
        post = self.get_object()
        data = _validated(s.PostUpdateSerializer, request.data)
        post = services.post_update(actor=request.user, post=post, **_time_input(data))
        return _noted(Response(_fresh(post)), data)

    @extend_schema(request=None, responses={204: NO_CONTENT, **_errors(404, 409)}, summary="Delete a post")
    def delete(self, request, workspace_id, post_id):
        services.post_delete(actor=request.user, post=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class PostHistoryView(_PostObjectView):
    """Every version, newest first, with who changed what and per-field diffs."""

    pagination_class = None  # a whole, bounded list: an array, as the schema says
    required_capabilities = {"GET": C.POST_VIEW}

    @extend_schema(
        responses=_ok(s.PostHistoryEntrySerializer(many=True), 200, 404), summary="A post's history"
    )
    def get(self, request, workspace_id, post_id):
        history = selectors.post_history(self.workspace, self.get_object())
        return Response(s.PostHistoryEntrySerializer(history, many=True).data)


class PostDuplicateView(_PostObjectView):
    dashboard_page = "content:post_detail"
    required_capabilities = {"POST": C.POST_CREATE}

    @extend_schema(
        request=s.PostDuplicateSerializer,
        responses=_ok(s.PostSerializer, 201, 400, 404),
        summary="Duplicate a post",
    )
    def post(self, request, workspace_id, post_id):
        post = self.get_object()
        data = _validated(s.PostDuplicateSerializer, request.data)
        copy = services.post_duplicate(actor=request.user, post=post, **_time_input(data))
        return _noted(created(_fresh(copy)), data)


class PostScheduleView(_PostObjectView):
    """Schedule every variant (at `scheduled_at` or the post's planned time). Refused with the reason where
    a variant's state forbids it (409) or compliance finds blocking problems (400); warnings need
    `override_warnings` (recorded)."""

    dashboard_page = "content:composer_edit"

    required_capabilities = {"POST": C.POST_SCHEDULE}

    @extend_schema(
        request=s.PostScheduleSerializer,
        responses=_ok(s.PostSerializer, 200, 400, 404, 409),
        summary="Schedule",
    )
    def post(self, request, workspace_id, post_id):
        post = self.get_object()
        data = _validated(s.PostScheduleSerializer, request.data)
        post = services.post_schedule(actor=request.user, post=post, **_time_input(data))
        return _noted(Response(_fresh(post)), data)


class PostRescheduleView(_PostObjectView):
    """Move the post to another time (the calendar's drag). Moving a scheduled post also needs
    post.schedule; posts being published, published or cancelled cannot move (409 with the reason)."""

    dashboard_page = "dashboard:calendar"

    required_capabilities = {"POST": C.POST_EDIT}

    @extend_schema(
        request=s.PostRescheduleSerializer,
        responses=_ok(s.PostSerializer, 200, 400, 403, 404, 409),
        summary="Move",
    )
    def post(self, request, workspace_id, post_id):
        post = self.get_object()
        data = _validated(s.PostRescheduleSerializer, request.data)
        post = services.post_reschedule(actor=request.user, post=post, **_time_input(data))
        return _noted(Response(_fresh(post)), data)


class PostUnscheduleView(_PostObjectView):
    dashboard_page = "content:post_detail"
    required_capabilities = {"POST": C.POST_SCHEDULE}

    @extend_schema(
        request=s.PostVersionInputSerializer,
        responses=_ok(s.PostSerializer, 200, 404, 409),
        summary="Unschedule",
    )
    def post(self, request, workspace_id, post_id):
        post = self.get_object()
        data = _validated(s.PostVersionInputSerializer, request.data)
        post = services.post_unschedule(actor=request.user, post=post, **data)
        return Response(_fresh(post))


class PostQueueView(_PostObjectView):
    """Schedule at the accounts' next free posting slot."""

    dashboard_page = "content:post_detail"

    required_capabilities = {"POST": C.POST_SCHEDULE}

    @extend_schema(
        request=s.PostQueueSerializer,
        responses=_ok(s.PostSerializer, 200, 400, 404, 409),
        summary="Add to queue",
    )
    def post(self, request, workspace_id, post_id):
        post = self.get_object()
        data = _validated(s.PostQueueSerializer, request.data)
        post = services.post_add_to_queue(actor=request.user, post=post, **data)
        return Response(_fresh(post))


class PostComplianceView(_PostObjectView):
    """The compliance check of every variant, run now."""

    required_capabilities = {"GET": C.POST_VIEW}

    def refine_queryset(self, queryset):
        return selectors.with_relations(queryset)

    @extend_schema(
        responses=_ok(s.PostComplianceSerializer, 200, 404), summary="A post's compliance findings"
    )
    def get(self, request, workspace_id, post_id):
        results = services.compliance_for_post(self.get_object())
        findings = [f for r in results for f in r["findings"]]
        body = {
            "blocking": any(f.blocking for f in findings),
            "warnings": sum(1 for f in findings if f.severity == "warning"),
            "targets": [{**r, "findings": [f.to_dict() for f in r["findings"]]} for r in results],
        }
        return Response(s.PostComplianceSerializer(body).data)


class PostComplianceOverrideView(_PostObjectView):
    """An admin lets this exact content go out despite its blocking findings, saying why. Recorded with the
    content hash: any later change to what is sent voids it (400 without a reason or without a blocking
    finding; 403 for roles without post.publish_without_approval)."""

    dashboard_page = "content:post_detail"

    required_capabilities = {"POST": C.POST_PUBLISH_WITHOUT_APPROVAL}

    @extend_schema(
        request=s.PostComplianceOverrideSerializer,
        responses=_ok(s.PostSerializer, 200, 400, 403, 404, 409),
        summary="Override blocking findings",
    )
    def post(self, request, workspace_id, post_id):
        post = self.get_object()
        data = _validated(s.PostComplianceOverrideSerializer, request.data)
        post = services.post_compliance_override(actor=request.user, post=post, reason=data["reason"])
        return Response(_fresh(post))


class ComplianceCheckView(WorkspaceScopedAPIView):
    """The composer's live check: text and platforms (or accounts, or targets: accounts each with its
    first comment) in; findings with spans (in the text, or in a target's first comment) and each
    platform's character count (by its own counting rule) and limit out."""

    dashboard_page = "content:composer_new"

    queryset = Post.objects.all()
    serializer_class = s.ComplianceCheckOutputSerializer
    required_capabilities = {"POST": C.POST_VIEW}

    @extend_schema(
        request=s.ComplianceCheckInputSerializer,
        responses=_ok(s.ComplianceCheckOutputSerializer, 200, 400),
        summary="Check a text",
    )
    def post(self, request, workspace_id):
        data = _validated(s.ComplianceCheckInputSerializer, request.data)
        body = services.compliance_check_live(workspace=self.workspace, **data)
        return Response(s.ComplianceCheckOutputSerializer(body).data)


# --- media ------------------------------------------------------------------------------------------


class MediaListView(WorkspaceScopedAPIView):
    """GET: the media library (filter `kind`). POST (multipart): upload; refused with a clear error and
    nothing stored when the content is not what the name says, too large, or unsuitable for the chosen
    `platforms` / `accounts`."""

    queryset = MediaAsset.objects.all()
    serializer_class = s.MediaAssetSerializer
    required_capabilities = {"GET": C.POST_VIEW, "POST": C.MEDIA_UPLOAD}
    dashboard_page = "dashboard:media"
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        parameters=[s.MediaFilterSerializer], responses=_ok(s.MediaAssetSerializer(many=True), 200, 400)
    )
    def get(self, request, workspace_id):
        filters = _validated(s.MediaFilterSerializer, request.query_params)
        page = self.paginate_queryset(selectors.media_assets(self.workspace, **filters))
        return self.get_paginated_response(s.MediaAssetSerializer(page, many=True).data)

    @extend_schema(
        request={"multipart/form-data": s.MediaUploadSerializer},
        responses=_ok(s.MediaAssetWithSuitabilitySerializer, 201, 400),
        summary="Upload media",
    )
    def post(self, request, workspace_id):
        data = _validated(s.MediaUploadSerializer, request.data)
        asset = services.media_upload(actor=request.user, workspace=self.workspace, **data)
        return created(s.MediaAssetWithSuitabilitySerializer(asset).data)


class MediaDetailView(WorkspaceScopedAPIView):
    queryset = MediaAsset.objects.all()
    serializer_class = s.MediaAssetWithSuitabilitySerializer
    required_capabilities = {"GET": C.POST_VIEW, "PATCH": C.MEDIA_UPLOAD, "DELETE": C.MEDIA_UPLOAD}
    dashboard_page = "dashboard:media"
    lookup_url_kwarg = "media_id"

    @extend_schema(
        responses=_ok(s.MediaAssetWithSuitabilitySerializer, 200, 404),
        summary="A media asset with its per-platform suitability",
    )
    def get(self, request, workspace_id, media_id):
        return Response(s.MediaAssetWithSuitabilitySerializer(self.get_object()).data)

    @extend_schema(request=s.MediaUpdateSerializer, responses=_ok(s.MediaAssetSerializer, 200, 400, 404))
    def patch(self, request, workspace_id, media_id):
        media = self.get_object()
        data = _validated(s.MediaUpdateSerializer, request.data)
        asset = services.media_update(actor=request.user, media=media, **data)
        return Response(s.MediaAssetSerializer(asset).data)

    @extend_schema(request=None, responses={204: NO_CONTENT, **_errors(404, 409)})
    def delete(self, request, workspace_id, media_id):
        services.media_delete(actor=request.user, media=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- campaigns, tags, banned words, slots -----------------------------------------------------------


class CampaignListView(WorkspaceScopedAPIView):
    dashboard_page = "content:campaigns"
    queryset = Campaign.objects.all()
    serializer_class = s.CampaignSerializer
    required_capabilities = {"GET": C.POST_VIEW, "POST": C.POST_SCHEDULE}

    @extend_schema(responses=_ok(s.CampaignSerializer(many=True)))
    def get(self, request, workspace_id):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.CampaignSerializer(page, many=True).data)

    @extend_schema(request=s.CampaignInputSerializer, responses=_ok(s.CampaignSerializer, 201, 400))
    def post(self, request, workspace_id):
        data = _validated(s.CampaignInputSerializer, request.data)
        campaign = services.campaign_create(actor=request.user, workspace=self.workspace, **data)
        return created(s.CampaignSerializer(campaign).data)


class CampaignDetailView(WorkspaceScopedAPIView):
    dashboard_page = "content:campaigns"
    queryset = Campaign.objects.all()
    serializer_class = s.CampaignSerializer
    required_capabilities = {"GET": C.POST_VIEW, "PATCH": C.POST_SCHEDULE, "DELETE": C.POST_SCHEDULE}
    lookup_url_kwarg = "campaign_id"

    @extend_schema(responses=_ok(s.CampaignSerializer, 200, 404))
    def get(self, request, workspace_id, campaign_id):
        return Response(s.CampaignSerializer(self.get_object()).data)

    @extend_schema(
        request=s.CampaignInputSerializer(partial=True), responses=_ok(s.CampaignSerializer, 200, 400, 404)
    )
    def patch(self, request, workspace_id, campaign_id):
        campaign = self.get_object()
        serializer = s.CampaignInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        campaign = services.campaign_update(
            actor=request.user, campaign=campaign, **serializer.validated_data
        )
        return Response(s.CampaignSerializer(campaign).data)

    @extend_schema(request=None, responses={204: NO_CONTENT, **_errors(404)})
    def delete(self, request, workspace_id, campaign_id):
        services.campaign_delete(actor=request.user, campaign=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class TagGroupListView(WorkspaceScopedAPIView):
    dashboard_page = "content:tag_groups"
    queryset = TagGroup.objects.all()
    serializer_class = s.TagGroupSerializer
    required_capabilities = {"GET": C.POST_VIEW, "POST": C.WORKSPACE_MANAGE}

    def refine_queryset(self, queryset):
        return queryset.prefetch_related("tags")

    @extend_schema(responses=_ok(s.TagGroupSerializer(many=True)), summary="The tag taxonomy")
    def get(self, request, workspace_id):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.TagGroupSerializer(page, many=True).data)

    @extend_schema(request=s.TagGroupInputSerializer, responses=_ok(s.TagGroupSerializer, 201, 400))
    def post(self, request, workspace_id):
        data = _validated(s.TagGroupInputSerializer, request.data)
        group = services.tag_group_create(actor=request.user, workspace=self.workspace, **data)
        return created(s.TagGroupSerializer(group).data)


class TagGroupDetailView(WorkspaceScopedAPIView):
    dashboard_page = "content:tag_groups"
    queryset = TagGroup.objects.all()
    serializer_class = s.TagGroupSerializer
    required_capabilities = {"GET": C.POST_VIEW, "PATCH": C.WORKSPACE_MANAGE, "DELETE": C.WORKSPACE_MANAGE}
    lookup_url_kwarg = "tag_group_id"

    def refine_queryset(self, queryset):
        return queryset.prefetch_related("tags")

    @extend_schema(responses=_ok(s.TagGroupSerializer, 200, 404))
    def get(self, request, workspace_id, tag_group_id):
        return Response(s.TagGroupSerializer(self.get_object()).data)

    @extend_schema(
        request=s.TagGroupInputSerializer(partial=True), responses=_ok(s.TagGroupSerializer, 200, 400, 404)
    )
    def patch(self, request, workspace_id, tag_group_id):
        group = self.get_object()
        serializer = s.TagGroupInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        group = services.tag_group_update(actor=request.user, group=group, **serializer.validated_data)
        return Response(s.TagGroupSerializer(group).data)

    @extend_schema(request=None, responses={204: NO_CONTENT, **_errors(404)})
    def delete(self, request, workspace_id, tag_group_id):
        services.tag_group_delete(actor=request.user, group=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class TagListView(WorkspaceScopedAPIView):
    dashboard_page = "content:tag_groups"
    queryset = Tag.objects.all()
    serializer_class = s.TagSerializer
    required_capabilities = {"GET": C.POST_VIEW, "POST": C.WORKSPACE_MANAGE}

    @extend_schema(responses=_ok(s.TagSerializer(many=True)))
    def get(self, request, workspace_id):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.TagSerializer(page, many=True).data)

    @extend_schema(request=s.TagInputSerializer, responses=_ok(s.TagSerializer, 201, 400))
    def post(self, request, workspace_id):
        data = _validated(s.TagInputSerializer, request.data)
        tag = services.tag_create(actor=request.user, workspace=self.workspace, **data)
        return created(s.TagSerializer(tag).data)


class TagDetailView(WorkspaceScopedAPIView):
    dashboard_page = "content:tag_groups"
    queryset = Tag.objects.all()
    serializer_class = s.TagSerializer
    required_capabilities = {"GET": C.POST_VIEW, "PATCH": C.WORKSPACE_MANAGE, "DELETE": C.WORKSPACE_MANAGE}
    lookup_url_kwarg = "tag_id"

    @extend_schema(responses=_ok(s.TagSerializer, 200, 404))
    def get(self, request, workspace_id, tag_id):
        return Response(s.TagSerializer(self.get_object()).data)

    @extend_schema(request=s.TagInputSerializer(partial=True), responses=_ok(s.TagSerializer, 200, 400, 404))
    def patch(self, request, workspace_id, tag_id):
        tag = self.get_object()
        serializer = s.TagInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        tag = services.tag_update(actor=request.user, tag=tag, **serializer.validated_data)
        return Response(s.TagSerializer(tag).data)

    @extend_schema(request=None, responses={204: NO_CONTENT, **_errors(404)})
    def delete(self, request, workspace_id, tag_id):
        services.tag_delete(actor=request.user, tag=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class BannedWordListView(WorkspaceScopedAPIView):
    dashboard_page = "content:banned_words"
    queryset = BannedWord.objects.all()
    serializer_class = s.BannedWordSerializer
    required_capabilities = {"GET": C.POST_VIEW, "POST": C.WORKSPACE_MANAGE}

    @extend_schema(responses=_ok(s.BannedWordSerializer(many=True)), summary="The workspace's banned words")
    def get(self, request, workspace_id):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.BannedWordSerializer(page, many=True).data)

    @extend_schema(request=s.BannedWordInputSerializer, responses=_ok(s.BannedWordSerializer, 201, 400))
    def post(self, request, workspace_id):
        data = _validated(s.BannedWordInputSerializer, request.data)
        word = services.banned_word_create(actor=request.user, workspace=self.workspace, **data)
        return created(s.BannedWordSerializer(word).data)


class BannedWordDetailView(WorkspaceScopedAPIView):
    dashboard_page = "content:banned_words"
    queryset = BannedWord.objects.all()
    serializer_class = s.BannedWordSerializer
    required_capabilities = {"GET": C.POST_VIEW, "PATCH": C.WORKSPACE_MANAGE, "DELETE": C.WORKSPACE_MANAGE}
    lookup_url_kwarg = "banned_word_id"

    @extend_schema(responses=_ok(s.BannedWordSerializer, 200, 404))
    def get(self, request, workspace_id, banned_word_id):
        return Response(s.BannedWordSerializer(self.get_object()).data)

    @extend_schema(
        request=s.BannedWordInputSerializer(partial=True),
        responses=_ok(s.BannedWordSerializer, 200, 400, 404),
    )
    def patch(self, request, workspace_id, banned_word_id):
        word = self.get_object()
        serializer = s.BannedWordInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        word = services.banned_word_update(actor=request.user, banned_word=word, **changes)
        return Response(s.BannedWordSerializer(word).data)

    @extend_schema(request=None, responses={204: NO_CONTENT, **_errors(404)})
    def delete(self, request, workspace_id, banned_word_id):
        services.banned_word_delete(actor=request.user, banned_word=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class PostingSlotListView(WorkspaceScopedAPIView):
    dashboard_page = "content:posting_slots"
    queryset = PostingSlot.objects.all()
    serializer_class = s.PostingSlotSerializer
    required_capabilities = {"GET": C.POST_VIEW, "POST": C.POST_SCHEDULE}

    @extend_schema(
        parameters=[s.PostingSlotFilterSerializer], responses=_ok(s.PostingSlotSerializer(many=True))
    )
    def get(self, request, workspace_id):
        filters = _validated(s.PostingSlotFilterSerializer, request.query_params)
        page = self.paginate_queryset(selectors.posting_slots(self.workspace, **filters))
        return self.get_paginated_response(s.PostingSlotSerializer(page, many=True).data)

    @extend_schema(request=s.PostingSlotInputSerializer, responses=_ok(s.PostingSlotSerializer, 201, 400))
    def post(self, request, workspace_id):
        data = _validated(s.PostingSlotInputSerializer, request.data)
        slot = services.posting_slot_create(actor=request.user, workspace=self.workspace, **data)
        return created(s.PostingSlotSerializer(slot).data)


class PostingSlotDetailView(WorkspaceScopedAPIView):
    dashboard_page = "content:posting_slots"
    queryset = PostingSlot.objects.all()
    serializer_class = s.PostingSlotSerializer
    required_capabilities = {"GET": C.POST_VIEW, "DELETE": C.POST_SCHEDULE}
    lookup_url_kwarg = "slot_id"

    @extend_schema(responses=_ok(s.PostingSlotSerializer, 200, 404))
    def get(self, request, workspace_id, slot_id):
        return Response(s.PostingSlotSerializer(self.get_object()).data)

    @extend_schema(request=None, responses={204: NO_CONTENT, **_errors(404)})
    def delete(self, request, workspace_id, slot_id):
        services.posting_slot_delete(actor=request.user, slot=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- the person's own: calendar across workspaces, iCal feeds ---------------------------------------


class MyCalendarView(UserScopedAPIView):
    """The calendar across every workspace you may see posts of (an agency member's clients too)."""

    serializer_class = s.PostSerializer
    required_capabilities = {"GET": None}

    def get_queryset(self):
        return Post.objects.none()

    @extend_schema(
        parameters=[s.UserCalendarFilterSerializer],
        responses=_ok(s.PostSerializer(many=True), 200, 400),
        summary="Your calendar across workspaces",
    )
    def get(self, request):
        filters = _validated(s.UserCalendarFilterSerializer, request.query_params)
        ranged = "start" in filters or "end" in filters
        posts = selectors.posts_for_user(user=request.user, **filters)
        return _paginate_posts(self, posts, ranged)


class IcalFeedListView(UserScopedAPIView):
    dashboard_page = "dashboard:ical_feeds"
    serializer_class = s.IcalFeedSerializer
    required_capabilities = {"GET": None, "POST": None}

    def get_queryset(self):
        return selectors.ical_feeds_for_user(user=self.request.user)

    @extend_schema(responses=s.IcalFeedSerializer(many=True), summary="Your private iCal feeds")
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.IcalFeedSerializer(page, many=True).data)

    @extend_schema(
        request=s.IcalFeedCreateSerializer,
        responses=_ok(s.IcalFeedCreatedSerializer, 201, 400),
        summary="Create a private iCal feed; its URL is in this response only",
    )
    def post(self, request):
        data = _validated(s.IcalFeedCreateSerializer, request.data)
        feed, secret = services.ical_feed_create(actor=request.user, **data)
        body = s.IcalFeedSerializer(feed).data
        body["url"] = request.build_absolute_uri(reverse("ical-feed", args=[secret]))
        return created(body)


class IcalFeedDetailView(UserScopedAPIView):
    dashboard_page = "dashboard:ical_feeds"
    serializer_class = s.IcalFeedSerializer
    required_capabilities = {"DELETE": None}

    def get_queryset(self):
        return selectors.ical_feeds_for_user(user=self.request.user)

    @extend_schema(responses={204: NO_CONTENT, **_errors(404)}, summary="Revoke a feed (works at once)")
    def delete(self, request, feed_id):
        feed = IcalFeed.objects.filter(user=request.user, pk=feed_id, revoked_at__isnull=True).first()
        if feed is None:
            raise Http404
        services.ical_feed_revoke(actor=request.user, feed=feed)
        return Response(status=status.HTTP_204_NO_CONTENT)
