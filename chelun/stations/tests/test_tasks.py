import datetime as dt

from django.utils import timezone

from chelun.stations import services
from chelun.stations.choices import FeedbackStatus
from chelun.stations.models import Feedback
from chelun.stations.tasks import escalate_overdue_feedback
from chelun.stations.tests.factories import make_station


def test_periodic_task_escalates_feedback_past_its_deadline(tree):
    station = make_station(org=tree.wuhou_branch)
    old = services.feedback_create(station=station, user=None, rating=1, at=timezone.now() - dt.timedelta(hours=25))
    fresh = services.feedback_create(station=station, user=None, rating=1, at=timezone.now() - dt.timedelta(hours=1))
    escalate_overdue_feedback.call_local()
    statuses = dict(Feedback.objects.values_list("pk", "status"))
    assert statuses == {old.pk: FeedbackStatus.ESCALATED, fresh.pk: FeedbackStatus.OPEN}
