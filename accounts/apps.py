from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and tenancy"

    def ready(self):
        # core's tenancy bases (core.api, core.views) resolve access through what accounts registers
        # here; core sits below accounts and never imports it (core/tenancy.py).
        from core import tenancy

        from .roles import ORG_CAPABILITIES
        from .selectors import organization_membership_for, workspace_access_for

        tenancy.register(
            workspace_access=workspace_access_for,
            organization_membership=organization_membership_for,
            organization_capabilities=ORG_CAPABILITIES,
        )
