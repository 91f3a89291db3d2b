"""Background jobs for the demo (huey): thin wrappers around chelun.demo.stations.catch_up."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from chelun.demo.stations.catch_up import status_catch_up


@db_periodic_task(crontab(minute="*/10"))
def demo_status_catch_up() -> int:
    """The demo stations' status history continued to now, so the demo never goes stale; a database without demo
    stations gets nothing. Every 10 minutes: operator counts come every 30–60."""
    return status_catch_up().reports
