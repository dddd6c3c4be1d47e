import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kawo.settings.local")

app = Celery("kawo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _ensure_broker_folders(sender, **kwargs):
    # The serverless filesystem broker needs its folders; Redis needs nothing.
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)
    # Beat keeps its schedule in a file whatever the broker; it cannot create the folder itself (on a
    # fresh checkout with Redis, beat would stop at once and nothing scheduled would be published).
    schedule = sender.conf.beat_schedule_filename
    if schedule and os.path.dirname(schedule):
        os.makedirs(os.path.dirname(schedule), exist_ok=True)
