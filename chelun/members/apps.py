from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "chelun.members"
    label = "members"
    verbose_name = "人员"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        import chelun.members.permissions  # noqa: F401  (registers the actions this app guards)
        from chelun.members import exports, models

        exports.register()  # the people list as a background export (core.export_jobs)

        # Ciphertext and hashes never go into the audit diff; reveals are logged as access entries instead.
        secret = ["id_number_cipher", "id_number_hash", "phone_cipher", "phone_hash"]
        auditlog.register(models.Person, exclude_fields=[*secret, "version", "updated_at"])
        for profile in (
            models.DriverProfile,
            models.PartyMemberProfile,
            models.ShipperProfile,
            models.StationOperatorProfile,
        ):
            auditlog.register(profile)
        auditlog.register(models.OrganizationSecretary, exclude_fields=["updated_at"])
