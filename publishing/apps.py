from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _approval_event_to_webhooks(sender, *, workspace, event, payload, **kwargs):
    from .services import webhook_emit

    webhook_emit(workspace=workspace, event=event, payload=payload)


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = _("Publishing")

    def ready(self):
        # The apps below publishing tell it things through hooks and signals, never imports
        # (DESIGN.md "Layers"): approvals' events become outgoing webhooks; the content pages show
        # which posts were missed and each variant's publish job and attempts.
        from approvals.signals import approval_event
        from content import hooks

        from .selectors import missed_post_ids, targets_publishing

        approval_event.connect(_approval_event_to_webhooks, dispatch_uid="publishing.approval_webhooks")
        hooks.register("missed_post_ids", missed_post_ids)
        hooks.register("targets_publishing", targets_publishing)
