from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data (`manage.py seed_demo`): it fills every app, so it sits above all of them."""

    name = "demo"
    verbose_name = "Demo data"
