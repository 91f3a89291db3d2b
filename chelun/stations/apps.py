from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "chelun.stations"
    label = "stations"
    verbose_name = "暖心之家"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        import chelun.stations.permissions  # noqa: F401  (registers the actions this app guards)
        from chelun.core.navigation import STATION_OPERATOR, register_work
        from chelun.stations import models, operator_queue

        register_work(STATION_OPERATOR, operator_queue.operates_any_station)  # where an operator lands, their menu

        auditlog.register(
            models.Station,
            exclude_fields=[
                "live_open",
                "live_free_spaces",
                "live_level",
                "live_source",
                "live_observed_at",
                "version",
                "updated_at",
            ],
        )
        auditlog.register(models.Feedback)
        # Prices and the money a station reports and receives: who changed what, as for the station itself. (Live
        # status is written by a queryset update, so station_status_set logs operators' reports by hand.)
        auditlog.register(models.StationPrice)
        auditlog.register(models.CostReport)
        auditlog.register(models.SubsidyContribution, exclude_fields=["transaction"])
