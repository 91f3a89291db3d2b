"""Periodic jobs of `core` (huey): thin wrappers around core.export_jobs. (The on-demand export task,
run_export_job, sits beside export_job_start, which queues it.)"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from chelun.core.export_jobs import export_jobs_purge_expired


@db_periodic_task(crontab(minute="*/15"))
def purge_expired_exports() -> int:
    """Files of exports past their download deadline are deleted (the job rows stay as the record)."""
    return export_jobs_purge_expired()
