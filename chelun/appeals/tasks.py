"""Background jobs for appeals (huey): thin wrappers around services."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from chelun.appeals.services import appeal_escalate_overdue


@db_periodic_task(crontab(minute="*/10"))
def escalate_overdue_appeals() -> int:
    """Appeals past their deadline go one level up the tree; supervised ones past theirs are marked overdue."""
    return appeal_escalate_overdue()
