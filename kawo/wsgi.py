import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kawo.settings.local")
application = get_wsgi_application()

from core.startup import warm_and_freeze  # noqa: E402  (after Django is set up)

warm_and_freeze()
