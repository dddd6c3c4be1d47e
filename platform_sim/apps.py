from django.apps import AppConfig


class PlatformSimConfig(AppConfig):
    """A Django app only for the `run_platform_sim` management command; it has no models."""

    name = "platform_sim"
    verbose_name = "Platform simulator"
