"""Background jobs of `core` (huey): thin wrappers around core.export_jobs."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from chelun.core.export_jobs import export_job_run, export_jobs_purge_expired


@db_task()
def run_export_job(job_id: int) -> None:
    """Write one background export (queued by export_job_start once its row is committed)."""
    export_job_run(job_id)


@db_periodic_task(crontab(minute="*/15"))
def purge_expired_exports() -> int:
    """Files of exports past their download deadline are deleted (the job rows stay as the record)."""
    return export_jobs_purge_expired()
