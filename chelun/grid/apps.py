from django.apps import AppConfig


class GridConfig(AppConfig):
    name = "chelun.grid"
    label = "grid"
    verbose_name = "网格化流动党员党支部"

    def ready(self) -> None:
        import chelun.grid.permissions  # noqa: F401  (registers the actions this app guards)
