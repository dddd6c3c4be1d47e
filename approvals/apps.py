from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"

    def ready(self):
        # content sits below approvals and asks it through content.hooks (DESIGN.md "Layers"): the gate
        # before anything is scheduled, the reset after an edit, the post page's approval request, and the
        # composer's and post page's "Submit for approval" with the route it will take.
        from content import hooks

        from .gate import assert_schedulable, on_post_edited
        from .routing import route_preview
        from .selectors import latest_request_for
        from .services import approval_request_submit

        hooks.register("assert_schedulable", assert_schedulable)
        hooks.register("on_post_edited", on_post_edited)
        hooks.register("latest_approval", latest_request_for)
        hooks.register("approval_route", route_preview)
        hooks.register(
            "submit_for_approval", lambda post, actor: approval_request_submit(actor=actor, post=post)
        )
