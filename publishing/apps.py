from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = _("Publishing")

    def ready(self):
        # The apps below publishing tell it things through hooks, never imports (DESIGN.md "Layers"):
        # the content pages show which posts were missed and each variant's publish job and attempts.
        from content import hooks

        from .selectors import missed_post_ids, targets_publishing

        hooks.register("missed_post_ids", missed_post_ids)
        hooks.register("targets_publishing", targets_publishing)
