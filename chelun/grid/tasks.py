"""Background jobs for the grid (huey): thin wrappers around services."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from chelun.grid.services import lost_contact_flag, pings_roll_up


@db_periodic_task(crontab(minute="7"))
def roll_up_pings() -> None:
    """Hourly: pings -> per-cell hourly aggregates; raw pings past GRID_PING_RETENTION_DAYS deleted."""
    pings_roll_up()


@db_periodic_task(crontab(minute="20", hour="3"))
def flag_lost_contact() -> None:
    lost_contact_flag()
