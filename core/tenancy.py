"""Who may reach a workspace or an organization: core's tenancy bases ask, accounts answers.

core sits below accounts (DESIGN.md "Layers"), yet core.api and core.views resolve the caller's access
from the URL. So core does not import accounts: accounts registers its answers here in
`AccountsConfig.ready()` (accounts/apps.py). Until it has, every question raises ImproperlyConfigured:
a missing resolver is an error, never open access.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# name -> what accounts registered (see `register`)
_registered: dict[str, Any] = {}


def register(
    *,
    workspace_access: Callable[..., Any],
    organization_membership: Callable[..., Any],
    organization_capabilities: Mapping[str, Collection[str]],
) -> None:
    """`workspace_access(user=, workspace_id=)` -> an access (`.workspace`, `.can(capability)`) or None;
    `organization_membership(user=, organization_id=)` -> a membership (`.organization`, `.role`) or None;
    `organization_capabilities`: organization role -> the capabilities it holds."""
    _registered.update(
        workspace_access=workspace_access,
        organization_membership=organization_membership,
        organization_capabilities=organization_capabilities,
    )


def _registered_as(name: str) -> Any:
    try:
        return _registered[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"core.tenancy has no {name} registered: the accounts app registers it in its ready()"
        ) from None


def workspace_access_for(*, user, workspace_id):
    """The user's access to the workspace, or None (which callers turn into a 404)."""
    return _registered_as("workspace_access")(user=user, workspace_id=workspace_id)


def organization_membership_for(*, user, organization_id):
    """The user's membership of the organization, or None (which callers turn into a 404)."""
    return _registered_as("organization_membership")(user=user, organization_id=organization_id)


def organization_role_allows(role: str, capability: str) -> bool:
    return capability in _registered_as("organization_capabilities").get(role, ())
