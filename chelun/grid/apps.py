from django.apps import AppConfig


class GridConfig(AppConfig):
    name = "chelun.grid"
    label = "grid"
    verbose_name = "网格化流动党员党支部"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        import chelun.grid.permissions  # noqa: F401  (registers the actions this app guards)
        from chelun.grid import models

        # Consent and coverage changes are audited; pings are not (the audit log must not become a second track).
        auditlog.register(models.LocationConsent)
        auditlog.register(models.MobileMember)
        auditlog.register(models.Attachment)
