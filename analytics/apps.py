from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Analytics")

    def ready(self):
        # Tasks are registered explicitly, by name (kawo.celery autodiscovers analytics.tasks too).
        from . import tasks  # noqa: F401
