from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "chelun.appeals"
    label = "appeals"
    verbose_name = "急难愁盼"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        import chelun.appeals.permissions  # noqa: F401  (registers the actions this app guards)
        from chelun.appeals import models

        # The reporter is never in the audit text (integrity reports are confidential): events attribute steps.
        auditlog.register(models.Appeal, exclude_fields=["driver", "version", "updated_at", "next_escalation_at"])
        auditlog.register(models.Category)
        auditlog.register(models.RoutingRule)
