from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"

    def ready(self) -> None:
        from . import bounds

        bounds.install()  # every date and time read from input stays within 2000-2099 (core/bounds.py)
