from celery import shared_task

from . import services


@shared_task(name="lifecycle.workspace_export_run")
def workspace_export_run(export_id: int) -> str:
    return services.workspace_export_run(export_id=export_id)


@shared_task(name="lifecycle.purge_due")
def purge_due() -> dict:
    """Hourly (beat): hard-delete every workspace and organization whose grace period has ended, and
    expire old export zips."""
    done = services.purge_due()
    done["exports_expired"] = services.workspace_export_files_expire()
    return done
