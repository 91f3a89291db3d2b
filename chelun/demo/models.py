"""What the demo seed leaves behind besides the rows it fills in the other apps."""

from __future__ import annotations

from django.db import models


class DemoStation(models.Model):
    """A station the demo seed planted (演示站点), with the hour-of-week occupancy profile its status history follows.

    The row is the demo's mark: the catch-up job (chelun.demo.stations.catch_up) continues the history of these
    stations only, so a database of real stations, or a real station added to a demo database, is never written to.
    """

    station = models.OneToOneField(
        "stations.Station", on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name="站点"
    )
    day_occupancy = models.FloatField("白天车位占用率")
    night_occupancy = models.FloatField("夜间车位占用率")
    noise = models.FloatField("占用率波动")
    # The seed leaves a few halves with a report hours old (STALE_HALVES), so the demo shows "状态未知" too; their
    # history is continued to this many minutes before now, so they stay as seeded. 0 for the others.
    stale_minutes = models.FloatField("状态滞后（分钟）", default=0.0)

    class Meta:
        verbose_name = "演示站点"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"演示站点 {self.station_id}"

    @property
    def profile(self) -> tuple[float, float, float]:
        """As chelun.demo.stations.plans.Half.profile: day occupancy, night occupancy, noise."""
        return (self.day_occupancy, self.night_occupancy, self.noise)
