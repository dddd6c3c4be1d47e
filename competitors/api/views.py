"""The competitors API under /api/v1/workspaces/{workspace_id}/competitors/.

Reading needs competitor.view, changing competitor.manage. A brand this workspace does not benchmark
(another tenant's included) is a 404. Thin views: parse, call one service or selector, shape."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response

from accounts.roles import Capability as C
from analytics.api.serializers import PeriodSerializer
from analytics.api.views import _number, _validated, platform_name
from analytics.exports.render import MEDIA_TYPES
from core.api import WorkspaceScopedAPIView, created
from core.errors import NotFound

from .. import selectors, services
from ..models import BenchmarkedBrand, CompetitorBrand
from ..selectors.brands import first_complete_day
from ..sources.registry import source_class
from ..tasks import pull_rival
from . import serializers as s

NO_INPUT = {"application/json": OpenApiTypes.OBJECT}


def account_data(workspace, account) -> dict:
    first = first_complete_day(workspace, account)
    return {
        "id": account.pk,
        "platform": account.platform,
        "platform_name": platform_name(account.platform),
        "external_id": account.external_id,
        "handle": account.handle,
        "display_name": account.display_name,
        "avatar_url": account.avatar_url,
        "profile_url": account.profile_url,
        "followers": account.followers,
        "status": account.status,
        "status_name": str(account.get_status_display()),
        "source": account.source,
        "official_source": source_class(account.platform).official,
        "gathering_data": selectors.rival_gathering(workspace, account),
        "first_complete_day": first.isoformat() if first else None,
        "last_pulled_at": account.last_pulled_at.isoformat() if account.last_pulled_at else None,
    }


def brand_data(workspace, brand: CompetitorBrand) -> dict:
    accounts = [account_data(workspace, account) for account in brand.accounts.all()]
    return {
        "id": brand.pk,
        "name": brand.name,
        "gathering_data": any(a["gathering_data"] for a in accounts) or not accounts,
        "accounts": accounts,
    }


class _CompetitorView(WorkspaceScopedAPIView):
    queryset = BenchmarkedBrand.objects.all()
    serializer_class = s.CompetitorOutputSerializer
    required_capabilities = {"GET": C.COMPETITOR_VIEW}

    def brand(self) -> CompetitorBrand:
        found = selectors.competitor_brand_get(self.workspace, self.kwargs.get("competitor_id"))
        if found is None:
            raise Http404
        return found


class CompetitorListView(_CompetitorView):
    """GET: the competitor brands this workspace benchmarks, with their accounts ("gathering data" until
    each account's first complete day). POST: add one by profile address or handle; the account is
    resolved on its platform (or the licensed provider) before anything is saved."""

    pagination_class = None  # a whole, bounded list: an array, as the schema says
    required_capabilities = {"GET": C.COMPETITOR_VIEW, "POST": C.COMPETITOR_MANAGE}
    dashboard_page = "dashboard:competitors"

    @extend_schema(
        operation_id="workspaces_competitors_list", responses=s.CompetitorOutputSerializer(many=True)
    )
    def get(self, request, workspace_id):
        return Response(
            [brand_data(self.workspace, brand) for brand in selectors.benchmarked_brands(self.workspace)]
        )

    @extend_schema(request=s.CompetitorAddSerializer)
    def post(self, request, workspace_id):
        data = _validated(s.CompetitorAddSerializer, request.data, self)
        benchmarked = services.competitor_add(workspace=self.workspace, actor=request.user, **data)
        return created(
            brand_data(self.workspace, selectors.competitor_brand_get(self.workspace, benchmarked.brand_id))
        )


class CompetitorDetailView(_CompetitorView):
    """GET: one benchmarked brand. DELETE: stop benchmarking it here (the organization keeps it)."""

    required_capabilities = {"GET": C.COMPETITOR_VIEW, "DELETE": C.COMPETITOR_MANAGE}
    dashboard_page = "dashboard:competitors"

    def get(self, request, workspace_id, competitor_id):
        return Response(brand_data(self.workspace, self.brand()))

    @extend_schema(request=None, responses={204: OpenApiResponse(description="No longer benchmarked here.")})
    def delete(self, request, workspace_id, competitor_id):
        services.competitor_remove(workspace=self.workspace, actor=request.user, brand=self.brand())
        return Response(status=204)


class CompetitorAccountsView(_CompetitorView):
    """POST: another account of this brand, by profile address or handle (resolved first)."""

    required_capabilities = {"POST": C.COMPETITOR_MANAGE}
    dashboard_page = "dashboard:competitors"

    @extend_schema(request=s.CompetitorAccountAddSerializer)
    def post(self, request, workspace_id, competitor_id):
        brand = self.brand()
        data = _validated(s.CompetitorAccountAddSerializer, request.data, self)
        account = services.competitor_account_add(
            workspace=self.workspace, actor=request.user, brand=brand, **data
        )
        return created(account_data(self.workspace, account))


class CompetitorPickView(_CompetitorView):
    """POST {competitor}: benchmark one of the organization's competitor brands in this workspace too."""

    required_capabilities = {"POST": C.COMPETITOR_MANAGE}
    dashboard_page = "dashboard:competitors"

    @extend_schema(request=s.CompetitorPickSerializer)
    def post(self, request, workspace_id):
        data = _validated(s.CompetitorPickSerializer, request.data, self)
        brand = CompetitorBrand.objects.filter(
            pk=data["competitor"], organization_id=self.workspace.organization_id
        ).first()
        if brand is None:
            raise Http404
        services.competitor_pick(workspace=self.workspace, actor=request.user, brand=brand)
        return created(brand_data(self.workspace, selectors.competitor_brand_get(self.workspace, brand.pk)))


class CompetitorPullView(_CompetitorView):
    """POST: read this brand's accounts now (queued like the scheduled pulls, lowest priority). 202."""

    required_capabilities = {"POST": C.COMPETITOR_MANAGE}
    dashboard_page = "dashboard:competitors"

    @extend_schema(request=NO_INPUT, responses={202: OpenApiTypes.OBJECT})
    def post(self, request, workspace_id, competitor_id):
        brand = self.brand()
        ids = list(brand.accounts.values_list("pk", flat=True))
        for rival_id in ids:
            pull_rival.delay(rival_id)
        return Response({"queued": ids}, status=202)


def benchmark_data(workspace, result) -> dict:
    def brand(entry) -> dict:
        return {
            "key": entry.key,
            "name": entry.name,
            "own": entry.own,
            "followers": _number(entry.followers),
            "net_growth": _number(entry.net_growth),
            "posts": entry.posts,
            "posts_per_week": _number(entry.posts_per_week),
            "engagements": _number(entry.engagements),
            "engagements_per_post": _number(entry.engagements_per_post),
            "engagement_rate_by_followers": _number(entry.engagement_rate_by_followers),
            "engagement_share": _number(entry.engagement_share),
            "post_share": _number(entry.post_share),
            "media_mix": entry.media_mix,
            "top_hashtags": [{"tag": tag, "posts": n} for tag, n in entry.top_hashtags],
            "followers_by_day": [_number(v) for v in entry.followers_by_day],
        }

    brands = [brand(entry) for entry in result.brands]
    for key in (
        "followers",
        "net_growth",
        "posts_per_week",
        "engagements_per_post",
        "engagement_rate_by_followers",
        "engagement_share",
    ):
        values = [b[key] for b in brands]
        for b in brands:
            b.setdefault("colours", {})[key] = selectors.colour_of(b[key], values)
    return {
        "period": {"start": result.start.isoformat(), "end": result.end.isoformat()},
        "dates": [d.isoformat() for d in result.dates],
        "brands": brands,
        "top_posts": [
            {
                "brand": row.brand_key,
                "account": row.account,
                "platform": row.platform,
                "platform_name": platform_name(row.platform),
                "post_id": row.post_id,
                "published_at": row.published_at.astimezone(workspace.tzinfo).isoformat(),
                "text": row.text,
                "url": row.url,
                "engagements": _number(row.engagements),
                "deleted": row.deleted,
            }
            for row in result.top_posts
        ],
        "heatmap": result.heatmap,
        "spikes": [
            {
                "account": spike.account,
                "post_id": spike.post_id,
                "published_at": spike.published_at.astimezone(workspace.tzinfo).isoformat(),
                "engagements": spike.engagements,
                "median": spike.median,
                "mad": spike.mad,
                "threshold": spike.threshold,
            }
            for spike in result.spikes
        ],
    }


class BenchmarkView(_CompetitorView):
    """The period (`start`, `end`: workspace days) for our brand and each benchmarked competitor:
    followers and net growth, posts per week, engagements per post, engagement rate by followers, share
    of voice (engagements and posts), content mix, top posts, posting-time heatmap, spikes; each figure
    coloured best / above / below / worst among the brands."""

    @extend_schema(parameters=[PeriodSerializer], responses={200: OpenApiTypes.OBJECT})
    def get(self, request, workspace_id):
        query = _validated(PeriodSerializer, request.query_params, self)
        result = selectors.benchmark(self.workspace, start=query["start"], end=query["end"])
        return Response(benchmark_data(self.workspace, result))


class BenchmarkExportView(_CompetitorView):
    """The benchmark of a period as a file: `file_format` csv (the brands table), xlsx (brands and top posts)
    or pdf (both); `start`, `end` as for the benchmark."""

    @extend_schema(
        parameters=[PeriodSerializer],
        responses={(200, media): OpenApiTypes.BINARY for media in MEDIA_TYPES},
    )
    def get(self, request, workspace_id):
        from django.http import HttpResponse

        from ..exports import benchmark_export

        query = _validated(PeriodSerializer, request.query_params, self)
        file_format = request.query_params.get("file_format") or "csv"
        try:
            body, content_type, name = benchmark_export(
                self.workspace, start=query["start"], end=query["end"], file_format=file_format
            )
        except NotFound:
            raise Http404 from None
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
