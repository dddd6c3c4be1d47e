"""Explicit input and output serializers for the tenancy API.

Inputs only parse and type-check; rules that need the database (duplicate slugs, role ceilings, expired
invitations ...) live in accounts.services, which raise field-level errors the API renders the same way.
Outputs never carry secrets: an invitation's token is only emailed, and a personal access token's plain
value appears once, in the response that creates it.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import CURRENCIES, Invitation, Organization
from accounts.roles import ALL_CAPABILITIES, OrgRole, Role
from core.schema import ErrorDetailSerializer, ErrorSerializer  # noqa: F401  (re-exported for the views)

LANGUAGE_CHOICES = [(code, str(name)) for code, name in settings.LANGUAGES]


# --- small building blocks ----------------------------------------------------------------------------


class UserBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()


class OrganizationBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class WorkspaceBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


# --- me -----------------------------------------------------------------------------------------------


class MyOrganizationSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="organization.id")
    name = serializers.CharField(source="organization.name")
    slug = serializers.CharField(source="organization.slug")
    kind = serializers.ChoiceField(source="organization.kind", choices=Organization.Kind.choices)
    role = serializers.ChoiceField(choices=OrgRole.choices)


class MyWorkspaceSerializer(serializers.Serializer):
    """One `accounts.selectors.WorkspaceAccess`."""

    id = serializers.IntegerField(source="workspace.id")
    name = serializers.CharField(source="workspace.name")
    slug = serializers.CharField(source="workspace.slug")
    organization = serializers.IntegerField(source="workspace.organization_id")
    organization_name = serializers.CharField(source="workspace.organization.name")
    role = serializers.ChoiceField(choices=Role.choices)
    via = serializers.ChoiceField(choices=["member", "agency", "organization"])
    capabilities = serializers.SerializerMethodField()

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=sorted(ALL_CAPABILITIES)))
    )
    def get_capabilities(self, access) -> list[str]:
        return sorted(access.capabilities)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES)
    organizations = MyOrganizationSerializer(many=True)
    workspaces = MyWorkspaceSerializer(many=True)


class MeUpdateSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)


# --- organizations ------------------------------------------------------------------------------------


class OrganizationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    kind = serializers.ChoiceField(choices=Organization.Kind.choices)
    role = serializers.ChoiceField(source="my_role", choices=OrgRole.choices, help_text="Your role in it.")
    created_at = serializers.DateTimeField()


class OrganizationCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    slug = serializers.CharField(max_length=60)
    kind = serializers.ChoiceField(choices=Organization.Kind.choices, default=Organization.Kind.BRAND)


class OrganizationUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    slug = serializers.CharField(max_length=60, required=False)


class OrganizationMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = UserBriefSerializer()
    role = serializers.ChoiceField(choices=OrgRole.choices)
    created_at = serializers.DateTimeField()


# --- workspaces ---------------------------------------------------------------------------------------


class WorkspaceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField(source="organization.name")
    name = serializers.CharField()
    slug = serializers.CharField()
    timezone = serializers.CharField()
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES)
    currency = serializers.ChoiceField(choices=CURRENCIES)
    created_at = serializers.DateTimeField()


class WorkspaceCreateSerializer(serializers.Serializer):
    organization = serializers.IntegerField(help_text="The organization that owns the new workspace.")
    name = serializers.CharField(max_length=120)
    slug = serializers.CharField(max_length=60)
    timezone = serializers.CharField(max_length=64, default="Asia/Shanghai")
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, default="zh-hans")
    currency = serializers.ChoiceField(choices=CURRENCIES, default="CNY")


class WorkspaceUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    slug = serializers.CharField(max_length=60, required=False)
    timezone = serializers.CharField(max_length=64, required=False)
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)
    currency = serializers.ChoiceField(choices=CURRENCIES, required=False)


# --- members and invitations --------------------------------------------------------------------------


class WorkspaceMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = UserBriefSerializer()
    role = serializers.ChoiceField(choices=Role.choices)
    agency = OrganizationBriefSerializer(
        source="grant.agency",
        allow_null=True,
        help_text="Set for agency people: the agency that assigned them.",
    )
    created_at = serializers.DateTimeField()


class MemberRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)
    status = serializers.SerializerMethodField()
    expires_at = serializers.DateTimeField()
    sent_count = serializers.IntegerField()
    invited_by = serializers.EmailField(source="invited_by.email", allow_null=True)
    created_at = serializers.DateTimeField()
    accepted_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.ChoiceField(choices=Invitation.Status.choices))
    def get_status(self, invitation: Invitation) -> str:
        # A pending invitation past its expiry is expired even before the periodic task marks it.
        if invitation.status == Invitation.Status.PENDING and invitation.is_expired:
            return Invitation.Status.EXPIRED
        return invitation.status


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices)


class InvitationAcceptSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200, help_text="The token from the invitation email.")


class AcceptedInvitationSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="id")
    workspace = WorkspaceBriefSerializer()
    role = serializers.ChoiceField(choices=Role.choices)


# --- agency access ------------------------------------------------------------------------------------


class AgencyGrantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agency = OrganizationBriefSerializer()
    role_ceiling = serializers.ChoiceField(choices=Role.choices)
    granted_by = serializers.EmailField(source="granted_by.email", allow_null=True)
    created_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    is_active = serializers.BooleanField()


class AgencyGrantCreateSerializer(serializers.Serializer):
    agency = serializers.IntegerField(help_text="The agency organization's id.")
    role_ceiling = serializers.ChoiceField(choices=Role.choices)


class AgencyGrantUpdateSerializer(serializers.Serializer):
    role_ceiling = serializers.ChoiceField(choices=Role.choices)


class ReceivedGrantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    workspace = WorkspaceBriefSerializer()
    client = OrganizationBriefSerializer(source="workspace.organization")
    role_ceiling = serializers.ChoiceField(choices=Role.choices)
    created_at = serializers.DateTimeField()


class AssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = UserBriefSerializer()
    role = serializers.ChoiceField(choices=Role.choices)
    created_at = serializers.DateTimeField()


class AssignmentCreateSerializer(serializers.Serializer):
    user = serializers.IntegerField(help_text="A person of your agency (user id).")
    role = serializers.ChoiceField(choices=Role.choices)


# --- audit log ----------------------------------------------------------------------------------------


class AuditEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    actor = serializers.IntegerField(source="actor_id", allow_null=True)
    actor_label = serializers.CharField()
    action = serializers.CharField()
    target_type = serializers.CharField()
    target_id = serializers.CharField()
    target_repr = serializers.CharField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)
    ip_address = serializers.IPAddressField(allow_null=True)


class AuditEventFilterSerializer(serializers.Serializer):
    action = serializers.CharField(required=False, help_text="Exact action, e.g. member.role_changed.")
    actor = serializers.CharField(required=False, help_text="The acting user's id or email address.")
    target_type = serializers.CharField(required=False, help_text="e.g. accounts.workspacemember.")
    since = serializers.DateTimeField(required=False, help_text="Events at or after this time.")
    until = serializers.DateTimeField(required=False, help_text="Events before this time.")

    def validate(self, attrs):
        if attrs.get("since") and attrs.get("until") and attrs["until"] <= attrs["since"]:
            raise serializers.ValidationError({"until": [_("The end must be after the start.")]})
        return attrs


# --- personal access tokens ---------------------------------------------------------------------------


class TokenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The token's first characters, to recognise it.")
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class TokenCreatedSerializer(TokenSerializer):
    token = serializers.CharField(help_text="The plain token. Shown only in this response; store it now.")


class TokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
