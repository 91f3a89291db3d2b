from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The deterministic demo Sichuan and its `seed_demo` command. It may import every app (it fills them all), and
    no app imports it. Its one model, DemoStation, marks the stations the seed made, so the demo's catch-up job
    continues their status history and never touches real data."""

    name = "chelun.demo"
    label = "demo"
    verbose_name = "演示数据"
