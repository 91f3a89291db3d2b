"""Background jobs for appeals (huey): thin wrappers around services."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from chelun.appeals.services import appeal_escalate_overdue
from chelun.appeals.stats import appeal_stats_refresh


@db_periodic_task(crontab(minute="*/10"))
def escalate_overdue_appeals() -> int:
    """Appeals past their deadline go one level up the tree; supervised ones past theirs are marked overdue."""
    return appeal_escalate_overdue()


@db_periodic_task(crontab(minute="*/10"))
def refresh_recent_statistics() -> int:
    """The current and two previous months' roll-ups: appeals submitted then are still being worked on."""
    return appeal_stats_refresh(months=3)


@db_periodic_task(crontab(minute="30", hour="2"))
def refresh_all_statistics() -> int:
    """Every month's roll-ups, nightly: late ratings or transfers of old appeals are counted too."""
    return appeal_stats_refresh(months=None)
