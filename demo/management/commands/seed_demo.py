"""Demo data: a brand with two workspaces, an agency with access to one of them, a user per role, the
social accounts (channels_app.demo), each brand workspace's content (demo.content: taxonomy,
campaigns, an approval workflow, posts in every state of the month), this quarter's budget
(demo.budgets: lines, spend in CNY and USD) and its analytics history
(demo.analytics: 90 days of metric readings through the analytics ingest).

Idempotent: running it again keeps what exists and prints the logins. `--reset` deletes the demo
organizations first.
"""

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import services
from accounts.models import Membership, Organization, User, Workspace, WorkspaceMember
from accounts.roles import OrgRole, Role

DEMO_PASSWORD = "kawo-demo-2026"
BRAND_SLUG = "lumiere"
AGENCY_SLUG = "red-lantern"


def _user(email: str, full_name: str, language: str = "en") -> User:
    from allauth.account.models import EmailAddress

    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name, "language": language}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _platforms_on(sim_url: str) -> dict:
    """Settings that send the platforms configured for the default simulator to `sim_url` instead (a
    platform given its own base URL keeps it)."""
    default = settings.PLATFORM_SIM_URL.rstrip("/")
    if sim_url == default:
        return {}
    platforms = {}
    for key, conf in settings.PLATFORMS.items():
        platforms[key] = {
            name: sim_url + value[len(default) :]
            if isinstance(value, str) and name.endswith("_url") and value.startswith(default)
            else value
            for name, value in conf.items()
        }
    return {"PLATFORMS": platforms, "PLATFORM_SIM_URL": sim_url}


class Command(BaseCommand):
    help = "Load the demo organizations, workspaces and users, and print their logins."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="delete the demo organizations first")
        parser.add_argument(
            "--sim-url",
            default=None,
            help="platform simulator to create the demo social accounts on (default: PLATFORM_SIM_URL)",
        )
        parser.add_argument(
            "--no-analytics",
            action="store_true",
            help="skip the 90 days of analytics history (demo.analytics)",
        )

    def handle(
        self, *args, reset: bool = False, sim_url: str | None = None, no_analytics: bool = False, **options
    ):
        if reset:
            self._delete()
        if not Organization.objects.filter(slug=BRAND_SLUG).exists():
            with transaction.atomic():
                self._create()
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        else:
            self.stdout.write("Demo data already present (use --reset to recreate).")
        sim_url = (sim_url or settings.PLATFORM_SIM_URL).rstrip("/")
        simulator = self._seed_accounts(sim_url)
        self._seed_content(sim_url, simulator)
        self._seed_budgets()
        self._seed_objectives()
        self._seed_inbox(sim_url, simulator)
        if not no_analytics:
            self._seed_analytics()
        self._seed_competitors(sim_url, simulator)
        self._print_logins()

    def _delete(self) -> None:
        from approvals.models import ApprovalRequest

        with transaction.atomic():
            organizations = Organization.objects.filter(slug__in=[BRAND_SLUG, AGENCY_SLUG])
            # A request protects its workflow from deletion: the requests go first.
            ApprovalRequest.objects.filter(workspace__organization__in=organizations).delete()
            organizations.delete()

    def _seed_content(self, sim_url: str, simulator: bool) -> None:
        """Each brand workspace's posts (demo.content), once. The seeded history sends no email (its
        in-app notifications are kept), and its publishing goes to the simulator the accounts are on."""
        from django.test.utils import override_settings

        from demo.content import seed_demo_content
        from demo.due_posts import redate_due_posts

        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend", **_platforms_on(sim_url)
        ):
            for workspace in Workspace.objects.filter(organization__slug=BRAND_SLUG).order_by("name"):
                result = seed_demo_content(workspace, simulator=simulator)
                self.stdout.write(result.summary())
                if not result.created:  # a later start: the posts due in minutes, due again
                    made = redate_due_posts(workspace, simulator=simulator)
                    if made:
                        self.stdout.write(
                            f"  {len(made)} posts due in the next minutes again: {', '.join(made)}"
                        )
                for problem in result.problems:
                    self.stderr.write(f"  not as planned: {problem}")

    def _seed_budgets(self) -> None:
        """This quarter's budget of each brand workspace (demo.budgets), once; its alerts send no email."""
        from django.test.utils import override_settings

        from demo.budgets import seed_demo_budgets

        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            for workspace in Workspace.objects.filter(organization__slug=BRAND_SLUG).order_by("name"):
                self.stdout.write(seed_demo_budgets(workspace))

    def _seed_objectives(self) -> None:
        """Two objectives per brand workspace (demo.objectives), once."""
        from demo.objectives import seed_demo_objectives

        for workspace in Workspace.objects.filter(organization__slug=BRAND_SLUG).order_by("name"):
            self.stdout.write(seed_demo_objectives(workspace))

    def _seed_inbox(self, sim_url: str, simulator: bool) -> None:
        """Each brand workspace's fan inbox (demo.inbox), once; a few more fans write on the simulator."""
        from demo.inbox import seed_demo_inbox
        from platform_sim.client import SimClient

        sim = SimClient(sim_url, timeout=5) if simulator else None
        try:
            for workspace in Workspace.objects.filter(organization__slug=BRAND_SLUG).order_by("name"):
                self.stdout.write(seed_demo_inbox(workspace, sim))
        finally:
            if sim is not None:
                sim.close()

    def _seed_analytics(self) -> None:
        """90 days of metric history for each brand workspace (demo.analytics), once."""
        from demo.analytics import seed_demo_analytics

        for workspace in Workspace.objects.filter(organization__slug=BRAND_SLUG).order_by("name"):
            self.stdout.write(seed_demo_analytics(workspace))

    def _seed_competitors(self, sim_url: str, simulator: bool) -> None:
        """Three rival brands with 90 days of history, benchmarked in each brand workspace
        (demo.competitors), once; their accounts on the simulator at every start."""
        from demo.competitors import seed_demo_competitors, seed_demo_competitors_on_simulator

        for workspace in Workspace.objects.filter(organization__slug=BRAND_SLUG).order_by("name"):
            self.stdout.write(seed_demo_competitors(workspace))
        if simulator:
            from platform_sim.client import SimClient

            sim = SimClient(sim_url, timeout=5)
            try:
                seed_demo_competitors_on_simulator(sim)
            finally:
                sim.close()

    def _seed_accounts(self, sim_url: str) -> bool:
        """One social account per platform in each brand workspace, on the simulator when it runs.

        The simulator keeps its state in memory, so every start re-creates the demo accounts there and
        stores their fresh (encrypted) tokens; without it, accounts are created once, without credentials.
        """
        from channels_app.demo import seed_demo_accounts
        from channels_app.models import SocialAccount
        from platform_sim.client import SimClient

        sim = SimClient(sim_url, timeout=5)
        try:
            sim.health()
        except httpx.HTTPError:
            sim.close()
            sim = None
        for workspace in Workspace.objects.filter(organization__slug=BRAND_SLUG).order_by("name"):
            if sim is None and SocialAccount.objects.filter(workspace=workspace).exists():
                continue
            accounts = seed_demo_accounts(workspace, sim)
            where = "on the platform simulator" if sim else "without credentials (simulator not running)"
            self.stdout.write(f"{len(accounts)} social accounts in {workspace.name}, {where}.")
        if sim is None:
            return False
        sim.close()
        return True

    def _create(self) -> None:
        owner = _user("owner@demo.kawo.test", "Li Na (brand owner)", "zh-hans")
        brand = services.organization_create(actor=owner, name="Lumière Cosmetics", slug=BRAND_SLUG)
        china = services.workspace_create(
            actor=owner,
            organization=brand,
            name="Lumière China",
            slug="china",
            timezone="Asia/Shanghai",
            language="zh-hans",
            currency="CNY",
        )
        services.workspace_create(
            actor=owner,
            organization=brand,
            name="Lumière Global",
            slug="global",
            timezone="Europe/Paris",
            language="en",
            currency="EUR",
        )
        people = {
            Role.ADMIN: ("admin@demo.kawo.test", "Wang Fang (admin)"),
            Role.MANAGER: ("manager@demo.kawo.test", "Zhang Wei (marketing manager)"),
            Role.EDITOR: ("editor@demo.kawo.test", "Chen Jing (copywriter)"),
            Role.REVIEWER: ("legal@demo.kawo.test", "Liu Yang (legal reviewer)"),
            Role.ANALYST: ("analyst@demo.kawo.test", "Zhao Lei (analyst)"),
            Role.VIEWER: ("viewer@demo.kawo.test", "Sun Li (HQ viewer)"),
        }
        for role, (email, name) in people.items():
            user = _user(email, name)
            Membership.objects.get_or_create(organization=brand, user=user, defaults={"role": OrgRole.MEMBER})
            WorkspaceMember.objects.get_or_create(workspace=china, user=user, defaults={"role": role})

        agency_owner = _user("agency-admin@demo.kawo.test", "Maya Brooks (agency admin)")
        agency = services.organization_create(
            actor=agency_owner, name="Red Lantern Agency", slug=AGENCY_SLUG, kind=Organization.Kind.AGENCY
        )
        agency_editor = _user("agency-editor@demo.kawo.test", "Tom Reed (agency editor)")
        Membership.objects.get_or_create(
            organization=agency, user=agency_editor, defaults={"role": OrgRole.MEMBER}
        )
        grant = services.agency_grant_create(
            actor=owner, workspace=china, agency=agency, role_ceiling=Role.MANAGER
        )
        services.agency_assignment_create(
            actor=agency_owner, grant=grant, user=agency_editor, role=Role.EDITOR
        )
        services.agency_assignment_create(
            actor=agency_owner, grant=grant, user=agency_owner, role=Role.MANAGER
        )

    def _print_logins(self) -> None:
        rows = []
        for workspace in Workspace.objects.filter(organization__slug=BRAND_SLUG).order_by("name"):
            for member in workspace.members.select_related("user", "grant__agency").order_by("id"):
                if member.user.email == "owner@demo.kawo.test":
                    continue
                via = f" via {member.grant.agency.name}" if member.grant_id else ""
                rows.append((member.user.email, f"{member.role} in {workspace.name}{via}"))
        rows.insert(
            0, ("owner@demo.kawo.test", "owner of Lumière Cosmetics (admin of every brand workspace)")
        )
        seen = set()
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}) at http://127.0.0.1:8000/\n")
        for email, what in rows:
            key = (email, what)
            if key in seen:
                continue
            seen.add(key)
            self.stdout.write(f"  {email:32} {what}")
        self.stdout.write("")
