"""Background jobs for the demo (huey): thin wrappers around chelun.demo.stations.catch_up."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from chelun.demo.stations.catch_up import status_catch_up


@db_periodic_task(crontab(minute="*/5"))
def demo_status_catch_up() -> int:
    """The demo stations' status history continued to now, so the demo never goes stale; a database without demo
    stations gets nothing. Every 5 minutes: counts come under 60 minutes apart, so a station reads "unknown" (older
    than 60) for at most the few minutes until the next run."""
    return status_catch_up().reports
