"""Every page of the dashboard, found from the URL configuration (not from a list someone keeps).

`demo_world()` loads the demo (its organizations, people, accounts and content; no analytics history)
and adds the few objects a page URL may name that the demo does not keep a handle on: a review link's
token, an invitation's token, an iCal feed's secret, an import job. `dashboard_pages(world)` walks the
URL resolver and returns, for every route that answers GET outside the API, the admin site and the
sign-in pages, the URL filled from the world and the person who can see it. A new page whose URL names
an argument this module cannot fill fails here, with the argument named: teach `_ARGUMENTS` about it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from io import StringIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Organization, User, Workspace

NO_SIM = "http://127.0.0.1:9"  # nothing listens there: the demo without the platform simulator

# Routes that are not pages a person reads: the API, Django's admin, allauth's own flows (their
# templates are ours and are rendered by the tests that sign in), the language switch, feeds, icons, and
# the endpoints platforms push to (hooks/).
NOT_PAGES = ("api/", "admin/", "accounts/", "i18n/", "ical/", "favicon.ico", "static/", "media/", "hooks/")


# Routes that answer a GET with a file need the query that says which file.
QUERIES = {"analytics_exports:download": "?kind=posts&format=csv"}


@dataclass
class World:
    workspace: Workspace
    brand: Organization
    agency: Organization
    owner: User
    agency_admin: User
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    name: str  # namespace:url_name
    route: str
    url: str
    user: User


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo world, loaded once per test module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_world()
        transaction.set_rollback(True)


def demo_world() -> World:
    call_command("seed_demo", "--no-analytics", "--sim-url", NO_SIM, stdout=StringIO(), stderr=StringIO())
    workspace = Workspace.objects.get(organization__slug="lumiere", slug="china")
    world = World(
        workspace=workspace,
        brand=workspace.organization,
        agency=Organization.objects.get(kind=Organization.Kind.AGENCY),
        owner=User.objects.get(email="owner@demo.kawo.test"),
        agency_admin=User.objects.get(email="agency-admin@demo.kawo.test"),
    )
    for name, make in _ARGUMENTS.items():  # in order: a later value may use an earlier one
        world.values[name] = make(world)
    return world


def _post(world: World):
    """A post with an approval request, so that its review page has something to show."""
    from approvals.models import ApprovalRequest

    return ApprovalRequest.objects.filter(workspace=world.workspace).order_by("pk").first().post


def _account(world: World):
    from channels_app.models import SocialAccount

    return SocialAccount.objects.filter(workspace=world.workspace).order_by("pk").first()


def _wechat_variant(world: World) -> int:
    from content.models import PostTarget

    wechat = PostTarget.objects.filter(workspace=world.workspace, account__platform="wechat_oa").order_by(
        "pk"
    )
    return (wechat.filter(options__has_key="articles").first() or wechat.first()).pk


def _review_token(world: World) -> str:
    from approvals.links import review_link_create
    from approvals.models import ApprovalRequest

    request = ApprovalRequest.objects.filter(workspace=world.workspace).order_by("pk").first()
    _link, token = review_link_create(
        actor=world.owner, workspace=world.workspace, email="hq.reviewer@example.com", request=request
    )
    return token


def _invitation_token(world: World) -> str:
    from accounts.services import invitation_create

    _invitation, token = invitation_create(
        actor=world.owner, workspace=world.workspace, email="new.person@example.com", role="editor"
    )
    return token


def _import_id(world: World) -> int:
    from content.imports.jobs import import_job_create

    handle = _account(world).handle
    upload = SimpleUploadedFile(
        "posts.csv", f"accounts,text,scheduled_at\n{handle},新品上市,2031-05-01 09:30\n".encode(), "text/csv"
    )
    return import_job_create(actor=world.owner, workspace=world.workspace, file=upload).pk


def _custom_metric_id(world: World) -> int:
    from analytics.services.workspace_settings import custom_metric_create

    return custom_metric_create(
        workspace=world.workspace,
        actor=world.owner,
        name="互动/千粉",
        formula="engagements / followers * 1000",
    ).pk


def _competitor_id(world: World) -> int:
    from competitors.tests.factories import benchmarked_brand

    brand, _account = benchmarked_brand(world.workspace, name="对手品牌")
    return brand.pk


def _benchmark_schedule_id(world: World) -> int:
    from competitors.services.schedules import benchmark_schedule_create

    return benchmark_schedule_create(
        actor=world.owner,
        workspace=world.workspace,
        name="对手周报",
        frequency="weekly",
        addresses=["cfo@example.com"],
    ).pk


def _scheduled_report_id(world: World) -> int:
    from analytics.exports.schedules import scheduled_report_create

    return scheduled_report_create(
        actor=world.owner,
        workspace=world.workspace,
        name="周报",
        frequency="weekly",
        fmt="pdf",
        recipients=[world.owner],
    ).pk


def _export_id(world: World) -> int:
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from analytics.models import ExportJob

    job = ExportJob.objects.create(
        workspace=world.workspace,
        kind="posts",
        format="csv",
        status="done",
        progress=100,
        file_name="posts.csv",
        requested_by=world.owner,
        finished_at=timezone.now(),
    )
    job.file.save("posts.csv", ContentFile(b"post,views\n"))
    return job.pk


def _inbox_item_id(world: World) -> int:
    """The workspace's first fan message (the demo's inbox, or one made here)."""
    from inbox.models import InboxItem
    from inbox.tests.factories import InboxItemFactory

    found = InboxItem.objects.filter(workspace=world.workspace, from_us=False).order_by("pk").first()
    return (found or InboxItemFactory(conversation__account=_account(world))).pk


def _inbox_rule_id(world: World) -> int:
    from inbox.models import InboxRule

    found = InboxRule.objects.filter(workspace=world.workspace).order_by("pk").first()
    return (
        found
        or InboxRule.objects.create(
            workspace=world.workspace, name="物流", keywords=["发货"], add_tags=["物流"]
        )
    ).pk


def _saved_reply_id(world: World) -> int:
    from inbox.models import SavedReply
    from inbox.services import saved_reply_create

    found = SavedReply.objects.filter(workspace=world.workspace).order_by("pk").first()
    return (
        found
        or saved_reply_create(workspace=world.workspace, actor=world.owner, name="发货时间", body="{fan}您好")
    ).pk


def _workspace_export_id(world: World) -> int:
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from lifecycle.models import WorkspaceExport

    job = WorkspaceExport.objects.create(
        workspace=world.workspace,
        status="done",
        progress=100,
        file_name="export.zip",
        requested_by=world.owner,
        finished_at=timezone.now(),
    )
    job.file.save("export.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18))
    return job.pk


def _organization_id(world: World) -> list[tuple[int, User]]:
    """Organization pages are the brand's (its owner) or the agency's (its admin)."""
    return [(world.brand.pk, world.owner), (world.agency.pk, world.agency_admin)]


def _first_of(model_path: str, factory_path: str):
    """The id of the workspace's first `model` (made with its factory where the demo has none)."""

    def make(world: World) -> int:
        from importlib import import_module

        from django.apps import apps

        model = apps.get_model(model_path)
        found = model.objects.filter(workspace=world.workspace).order_by("pk").first()
        if found is None:
            module, name = factory_path.rsplit(".", 1)
            extra = {}
            if model_path == "content.PostingSlot":
                extra["account"] = _account(world)
            if model_path == "publishing.WebhookDelivery":
                from publishing.models import WebhookEndpoint

                extra["endpoint"] = WebhookEndpoint.objects.get(pk=world.values["webhook_id"])
            if model_path == "budgets.SpendEntry":
                from budgets.models import Budget
                from budgets.tests.factories import BudgetLineFactory

                budget = Budget.objects.get(pk=world.values["budget_id"])
                extra["line"] = budget.lines.first() or BudgetLineFactory(budget=budget)
            if model_path == "content.Tag":
                from content.tests.factories import TagGroupFactory

                extra["group"] = TagGroupFactory(workspace=world.workspace)
            found = getattr(import_module(module), name)(workspace=world.workspace, **extra)
        return found.pk

    return make


# How to fill each URL argument a page can take.
_ARGUMENTS: dict[str, Callable[[World], Any]] = {
    "workspace_id": lambda world: world.workspace.pk,
    "post_id": lambda world: _post(world).pk,
    "target_id": lambda world: _post(world).targets.order_by("pk").first().pk,  # an assisted task page
    "variant_id": _wechat_variant,  # the WeChat article editor: the demo's 3-article push
    "account_id": lambda world: _account(world).pk,
    "platform": lambda world: _account(world).platform,
    "import_id": _import_id,
    "campaign_id": _first_of("content.Campaign", "content.tests.factories.CampaignFactory"),
    "tag_group_id": _first_of("content.TagGroup", "content.tests.factories.TagGroupFactory"),
    "tag_id": _first_of("content.Tag", "content.tests.factories.TagFactory"),
    "banned_word_id": _first_of("content.BannedWord", "content.tests.factories.BannedWordFactory"),
    "slot_id": _first_of("content.PostingSlot", "content.tests.factories.PostingSlotFactory"),
    "webhook_id": _first_of(
        "publishing.WebhookEndpoint", "publishing.tests.factories.WebhookEndpointFactory"
    ),
    "delivery_id": _first_of(
        "publishing.WebhookDelivery", "publishing.tests.factories.WebhookDeliveryFactory"
    ),
    "custom_metric_id": _custom_metric_id,
    "competitor_id": _competitor_id,
    "scheduled_report_id": _scheduled_report_id,
    "benchmark_schedule_id": _benchmark_schedule_id,
    "export_id": _export_id,
    "workspace_export_id": _workspace_export_id,
    "workflow_id": _first_of(
        "approvals.ApprovalWorkflow", "approvals.tests.factories.ApprovalWorkflowFactory"
    ),
    "budget_id": _first_of("budgets.Budget", "budgets.tests.factories.BudgetFactory"),
    "spend_id": _first_of("budgets.SpendEntry", "budgets.tests.factories.SpendEntryFactory"),
    "objective_id": _first_of("objectives.Objective", "objectives.tests.factories.ObjectiveFactory"),
    "item_id": _inbox_item_id,
    "saved_reply_id": _saved_reply_id,
    "rule_id": _inbox_rule_id,
    "organization_id": _organization_id,
    "token": lambda world: {
        "approvals:external_review": _review_token(world),
        "dashboard:invitation_accept": _invitation_token(world),
    },
}


def _walk(patterns, prefix: str = "", namespace: str | None = None) -> Iterator[tuple[str, str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace])) or None
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield prefix + str(pattern.pattern), name, pattern


def _answers_get(pattern: URLPattern) -> bool:
    view_class = getattr(pattern.callback, "view_class", None)
    if view_class is None:
        return False
    allowed = getattr(view_class, "http_method_names", ())
    return "get" in allowed and hasattr(view_class, "get")


def page_routes() -> list[tuple[str, str, URLPattern]]:
    """(route, name, pattern) of every route that answers GET outside NOT_PAGES."""
    return [
        (route, name, pattern)
        for route, name, pattern in _walk(get_resolver().url_patterns)
        if not route.startswith(NOT_PAGES) and _answers_get(pattern)
    ]


def dashboard_pages(world: World) -> list[Page]:
    pages = []
    for route, name, pattern in page_routes():
        arguments = list(pattern.pattern.converters)
        user = world.owner
        kwargs = {}
        for argument in arguments:
            if argument not in world.values:
                raise AssertionError(
                    f"{name} ({route}) takes {argument!r}: teach tests/dashboard_pages.py to fill it"
                )
            value = world.values[argument]
            if isinstance(value, dict):  # a value that only one page takes (tokens of different kinds)
                if name not in value:
                    raise AssertionError(
                        f"{name} ({route}) takes {argument!r}: teach tests/dashboard_pages.py"
                    )
                value = value[name]
            if isinstance(value, list):  # several (value, who sees it): the first page that names it
                value, user = value[0] if "agency" not in name else value[1]
            kwargs[argument] = value
        url = reverse(name, kwargs=kwargs) + QUERIES.get(name, "")
        pages.append(Page(name=name, route=route, url=url, user=user))
    return pages


def page_names() -> set[str]:
    return {name for _route, name, _pattern in page_routes()}
