"""Background jobs for accounts (huey): thin wrappers around services."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from chelun.accounts.services import otp_purge_expired


@db_periodic_task(crontab(minute="*/30"))
def purge_expired_codes() -> int:
    return otp_purge_expired()
