"""Competitor brands and their accounts: add (resolved through the data source before anything is
saved), benchmark an organization's brand in a workspace, stop benchmarking it."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from channels_app.connectors.errors import ConnectorError, RateLimited
from channels_app.models import Platform
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed

from ..models import BenchmarkedBrand, BrandGroup, CompetitorBrand, RivalAccount
from ..profiles import profile_parse
from ..sources.base import RivalNotFound, RivalProfile
from ..sources.registry import SUPPORTED_PLATFORMS, source_for


def _platform_name(key: str) -> str:
    try:
        return str(Platform(key).label)
    except ValueError:
        return key


def _resolve(*, profile: str, platform: str) -> tuple[str, RivalProfile]:
    """Outside any transaction: one HTTP read of the platform (or the provider)."""
    if platform and platform not in SUPPORTED_PLATFORMS:
        raise ValidationFailed(_("Competitors cannot be tracked on this platform yet."), field="platform")
    ref = profile_parse(profile, platform)
    if ref is None:
        message = (
            _("Paste the profile's address (https://…) or choose the platform of this handle.")
            if not platform
            else _("This is not a profile address or handle on %(platform)s.")
            % {"platform": _platform_name(platform)}
        )
        raise ValidationFailed(message, field="profile")
    if ref.platform not in SUPPORTED_PLATFORMS:
        raise ValidationFailed(_("Competitors cannot be tracked on this platform yet."), field="profile")
    source = source_for(ref.platform)
    try:
        found = source.resolve(ref.handle)
    except RivalNotFound:
        raise ValidationFailed(
            _("%(platform)s has no account @%(handle)s.")
            % {"platform": _platform_name(ref.platform), "handle": ref.handle},
            field="profile",
            code="not_found",
        ) from None
    except RateLimited:
        raise ValidationFailed(
            _("%(platform)s is busy; try again in a minute.") % {"platform": _platform_name(ref.platform)},
            field="profile",
            code="source_busy",
        ) from None
    except ConnectorError:
        raise ValidationFailed(
            _("%(platform)s did not answer; try again in a minute.")
            % {"platform": _platform_name(ref.platform)},
            field="profile",
            code="source_unavailable",
        ) from None
    finally:
        source.close()
    return ref.platform, found


def _check_cap(workspace, *, adding: int = 1) -> None:
    cap = settings.KAWO_COMPETITORS_PER_WORKSPACE
    if BenchmarkedBrand.objects.filter(workspace=workspace).count() + adding > cap:
        raise ValidationFailed(
            _("This workspace already benchmarks %(cap)s competitors, its limit. Remove one first.")
            % {"cap": cap},
            field="name",
            code="cap_reached",
        )


def _rival_account(*, brand, platform: str, found: RivalProfile, source_key: str, actor) -> RivalAccount:
    existing = RivalAccount.objects.filter(
        organization=brand.organization, platform=platform, external_id=found.external_id
    ).first()
    if existing is not None:
        if existing.brand_id != brand.pk:
            raise ValidationFailed(
                _("@%(handle)s is already an account of %(brand)s.")
                % {"handle": existing.handle, "brand": existing.brand.name},
                field="profile",
                code="taken",
            )
        return existing
    return RivalAccount.objects.create(
        brand=brand,
        organization=brand.organization,
        platform=platform,
        external_id=found.external_id,
        handle=found.handle,
        display_name=found.display_name,
        avatar_url=found.avatar_url[:500],
        profile_url=found.profile_url[:500],
        followers=found.followers,
        source=source_key,
        added_by=actor if getattr(actor, "pk", None) else None,
    )


def competitor_add(*, workspace, actor, name: str, profile: str, platform: str = "") -> BenchmarkedBrand:
    """A competitor brand (the organization's, by name, or a new one) with the account `profile` names,
    benchmarked in `workspace`. The account is resolved through its data source first: a handle the
    platform does not know is a 400 on `profile` and nothing is saved."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Name the competitor brand."), field="name")
    if len(name) > 120:
        raise ValidationFailed(_("A name has at most 120 characters."), field="name")
    brand = CompetitorBrand.objects.filter(organization_id=workspace.organization_id, name=name).first()
    if brand is None or not BenchmarkedBrand.objects.filter(workspace=workspace, brand=brand).exists():
        _check_cap(workspace)
    found_platform, found = _resolve(profile=profile, platform=platform)
    return _save_added(workspace=workspace, actor=actor, name=name, platform=found_platform, found=found)


@transaction.atomic
def _save_added(*, workspace, actor, name: str, platform: str, found: RivalProfile) -> BenchmarkedBrand:
    group, _created = BrandGroup.objects.get_or_create(organization_id=workspace.organization_id)
    brand, _created = CompetitorBrand.objects.get_or_create(
        group=group, name=name, defaults={"organization_id": workspace.organization_id}
    )
    account = _rival_account(
        brand=brand, platform=platform, found=found, source_key=source_for(platform).key, actor=actor
    )
    benchmarked, created = BenchmarkedBrand.objects.get_or_create(
        workspace=workspace, brand=brand, defaults={"added_by": actor if getattr(actor, "pk", None) else None}
    )
    if created:
        _check_cap(workspace, adding=0)  # under the lock of this transaction's insert
    audit_record(
        actor=actor,
        action="competitor.add",
        target=brand,
        workspace=workspace,
        after={"brand": brand.name, "platform": platform, "handle": account.handle, "source": account.source},
    )
    return benchmarked


def competitor_account_add(
    *, workspace, actor, brand: CompetitorBrand, profile: str, platform: str = ""
) -> RivalAccount:
    """Another account of a brand this workspace benchmarks (resolved first, like `competitor_add`)."""
    if not BenchmarkedBrand.objects.filter(workspace=workspace, brand=brand).exists():
        raise ValueError("the brand is not benchmarked in this workspace")
    found_platform, found = _resolve(profile=profile, platform=platform)
    with transaction.atomic():
        account = _rival_account(
            brand=brand,
            platform=found_platform,
            found=found,
            source_key=source_for(found_platform).key,
            actor=actor,
        )
        audit_record(
            actor=actor,
            action="competitor.account_add",
            target=account,
            workspace=workspace,
            after={"brand": brand.name, "platform": found_platform, "handle": account.handle},
        )
    return account


@transaction.atomic
def competitor_pick(*, workspace, actor, brand: CompetitorBrand) -> BenchmarkedBrand:
    """Benchmark one of the organization's competitor brands in this workspace too."""
    if brand.organization_id != workspace.organization_id:
        raise ValueError("the brand belongs to another organization")
    if BenchmarkedBrand.objects.filter(workspace=workspace, brand=brand).exists():
        raise Conflict(_("This workspace already benchmarks %(brand)s.") % {"brand": brand.name})
    _check_cap(workspace)
    benchmarked = BenchmarkedBrand.objects.create(
        workspace=workspace, brand=brand, added_by=actor if getattr(actor, "pk", None) else None
    )
    audit_record(
        actor=actor, action="competitor.pick", target=brand, workspace=workspace, after={"brand": brand.name}
    )
    return benchmarked


@transaction.atomic
def competitor_remove(*, workspace, actor, brand: CompetitorBrand) -> None:
    """Stop benchmarking the brand in this workspace; the organization keeps it (and its history) for its
    other workspaces."""
    deleted, _detail = BenchmarkedBrand.objects.filter(workspace=workspace, brand=brand).delete()
    if not deleted:
        raise ValueError("the brand is not benchmarked in this workspace")
    audit_record(
        actor=actor,
        action="competitor.remove",
        target=brand,
        workspace=workspace,
        before={"brand": brand.name},
    )
