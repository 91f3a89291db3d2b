"""Background jobs for stations (huey): thin wrappers around services."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from chelun.stations.services import feedback_escalate_overdue


@db_periodic_task(crontab(minute="*/5"))
def escalate_overdue_feedback() -> int:
    """Feedback unanswered 24 h after it was given goes to the station's organisation."""
    return feedback_escalate_overdue()
