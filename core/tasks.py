from celery import shared_task
from django.core.cache import cache
from django.utils import timezone


@shared_task(name="core.beat_heartbeat")
def beat_heartbeat() -> str:
    """Proves beat and a worker are alive: the dashboard's status line reads this key."""
    stamp = timezone.now().isoformat()
    cache.set("kawo:heartbeat", stamp, timeout=600)
    return stamp
