from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# The product's sections, in navigation order. Later issues fill each page.
SECTIONS = [
    ("calendar", _("Calendar")),
    ("approvals", _("Approvals")),
    ("accounts", _("Accounts")),
    ("analytics", _("Analytics")),
    ("competitors", _("Competitors")),
    ("budgets", _("Budgets")),
    ("inbox", _("Inbox")),
]


def navigation(request):
    access = getattr(request, "workspace_access", None)
    if access is None:
        return {}
    workspace_id = access.workspace.pk
    return {
        "nav_sections": [
            {"key": key, "label": label, "url": reverse(f"dashboard:{key}", args=[workspace_id])}
            for key, label in SECTIONS
        ]
    }
