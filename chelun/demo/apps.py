from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The deterministic demo Sichuan and its `seed_demo` command. It may import every app (it fills them all), and
    no app imports it; it has no models."""

    name = "chelun.demo"
    label = "demo"
    verbose_name = "演示数据"
