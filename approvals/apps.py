from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"

    def ready(self):
        # content sits below approvals and asks it through content.hooks (DESIGN.md "Layers"): the gate
        # before anything is scheduled, the reset after an edit, and the post page's approval request.
        from content import hooks

        from .gate import assert_schedulable, on_post_edited
        from .selectors import latest_request_for

        hooks.register("assert_schedulable", assert_schedulable)
        hooks.register("on_post_edited", on_post_edited)
        hooks.register("latest_approval", latest_request_for)
