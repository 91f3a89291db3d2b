from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "chelun.orgs"
    label = "orgs"
    verbose_name = "组织体系"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        import chelun.orgs.permissions  # noqa: F401  (registers the actions this app guards)
        from chelun.core.scoping import register_scope_resolver
        from chelun.orgs import models
        from chelun.orgs.access import scope_paths

        # core's pages (audit log, "may this user act anywhere?") ask through core.scoping, never importing orgs.
        register_scope_resolver(scope_paths)
        auditlog.register(models.Organization, exclude_fields=["path", "depth", "version", "updated_at"])
        auditlog.register(models.RoleGrant)
        auditlog.register(models.Rule, exclude_fields=["version", "updated_at"])
