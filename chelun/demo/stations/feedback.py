"""Drivers' feedback: mostly answered within 24 h, a few open and a couple escalated at the deadline."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from chelun.accounts.models import User
from chelun.demo.stations.plans import FeedbackPlan, Half
from chelun.demo.stations.visits import CHECKIN_WEEKS
from chelun.stations import services
from chelun.stations.choices import FeedbackIssue, FeedbackStatus
from chelun.stations.models import Feedback

__all__ = ["insert_feedback", "plan_feedback"]

_ISSUE_WEIGHTS = {
    FeedbackIssue.DIRTY: 30,
    FeedbackIssue.FULL_SHOWN_FREE: 25,
    FeedbackIssue.CLOSED_IN_HOURS: 10,
    FeedbackIssue.STAFF_CONDUCT: 10,
    FeedbackIssue.UNSAFE_PARKING: 10,
    FeedbackIssue.CHARGED_FREE: 8,
    FeedbackIssue.OTHER: 7,
}
_ISSUE_TEXT = {
    FeedbackIssue.DIRTY: ("卫生间有点脏，希望多打扫。", "淋浴间地面有积水，容易滑倒。"),
    FeedbackIssue.FULL_SHOWN_FREE: ("手机上显示还有车位，到了已经停满了。", "显示车位多，实际只剩一两个。"),
    FeedbackIssue.CLOSED_IN_HOURS: ("公示时间内到的，门却关着。", "值班室没人，洗衣房锁着。"),
    FeedbackIssue.STAFF_CONDUCT: ("值班人员态度不太好。", "问路线情况，工作人员不耐烦。"),
    FeedbackIssue.UNSAFE_PARKING: ("停车区晚上灯太暗，担心油被偷。", "货车区没有监控，睡觉不踏实。"),
    FeedbackIssue.CHARGED_FREE: ("洗澡要求先买饭才能用，不是说免费吗？", "洗衣收了五块钱。"),
    FeedbackIssue.OTHER: ("希望增加充电插座。", "WiFi 信号太弱，视频都打不了。", "希望能提供冷藏车插电。"),
}
_PRAISE = (
    "洗澡水很热，洗衣机也好用，点赞！",
    "站长很热情，还帮忙查了前方路况。",
    "饭菜实惠，两荤两素一个汤。",
    "停车有人看着，晚上睡得踏实。",
    "环境干净，跟家里一样。",
    "跑了这么多年车，第一次有这么暖心的地方。",
)
_REPLY_PRAISE = ("感谢您的肯定，欢迎常来歇脚！", "谢谢师傅，一路平安！", "感谢支持，我们会继续做好服务。")
_REPLY_ISSUE = {
    FeedbackIssue.DIRTY: "已安排保洁加密打扫频次，感谢您的监督。",
    FeedbackIssue.FULL_SHOWN_FREE: "已提醒值班人员及时更新空余车位，给您带来不便深表歉意。",
    FeedbackIssue.CLOSED_IN_HOURS: "已核实当班人员脱岗情况并批评教育，今后严格按公示时间开放。",
    FeedbackIssue.STAFF_CONDUCT: "已对相关人员进行批评教育，感谢您的反馈。",
    FeedbackIssue.UNSAFE_PARKING: "已增加夜间照明，并安排保安加强巡逻。",
    FeedbackIssue.CHARGED_FREE: "停车、饭菜加热、热水、洗澡、洗衣均免费，已责令整改并退还费用。",
    FeedbackIssue.OTHER: "建议已收到，我们会尽快改进。",
}


def _rating_and_issues(rng: random.Random) -> tuple[int, list[str], str]:
    rating = rng.choices((5, 4, 3, 2, 1), weights=(50, 30, 12, 5, 3))[0]
    if rating >= 4:
        n = int(rating == 4 and rng.random() < 0.2)
    else:
        n = int(rng.random() < 0.7) if rating == 3 else rng.randint(1, 2)
    issues: list[str] = []
    while len(issues) < n:
        issue = rng.choices(list(_ISSUE_WEIGHTS), weights=list(_ISSUE_WEIGHTS.values()))[0]
        if issue not in issues:
            issues.append(issue)
    if issues:
        text = rng.choice(_ISSUE_TEXT[FeedbackIssue(issues[0])])
    else:
        text = rng.choice(_PRAISE) if rng.random() < 0.6 else ""
    return rating, issues, text


def _reply_to(rng: random.Random, issues: Sequence[str]) -> str:
    return _REPLY_ISSUE[FeedbackIssue(issues[0])] if issues else rng.choice(_REPLY_PRAISE)


def plan_feedback(rng: random.Random, sites: Sequence[Sequence[Half]], now: dt.datetime) -> None:
    """Answered within 24 h for almost all; 4 still open (less than a day old), 2 escalated at the deadline, 1
    escalated and then answered late."""
    due = dt.timedelta(hours=services.FEEDBACK_REPLY_HOURS)

    def half_of(site_halves: Sequence[Half]) -> Half:
        return site_halves[0] if len(site_halves) == 1 or rng.random() < 0.75 else site_halves[1]

    for site_halves in sites:
        assert site_halves[0].site is not None
        for _ in range(10 if site_halves[0].site.key == "jintang" else rng.randint(3, 9)):
            rating, issues, text = _rating_and_issues(rng)
            created = now - dt.timedelta(hours=rng.uniform(26, CHECKIN_WEEKS * 7 * 24))
            replied = created + dt.timedelta(hours=min(20.0, 0.2 + rng.expovariate(1 / 4)))
            status = FeedbackStatus.CLOSED if issues and rng.random() < 0.5 else FeedbackStatus.ANSWERED
            plan = FeedbackPlan(rating, issues, text, created, status, _reply_to(rng, issues), replied)
            half_of(site_halves).feedback.append(plan)
    order = rng.sample(range(len(sites)), 7)
    for i in order[:4]:
        rating, issues, text = _rating_and_issues(rng)
        created = now - dt.timedelta(hours=rng.uniform(1, 20))
        half_of(sites[i]).feedback.append(FeedbackPlan(rating, issues, text, created, FeedbackStatus.OPEN))
    for i, issue in zip(order[4:6], (FeedbackIssue.CHARGED_FREE, FeedbackIssue.UNSAFE_PARKING), strict=True):
        created = now - dt.timedelta(hours=rng.uniform(30, 60))
        escalated = created + due + dt.timedelta(minutes=rng.uniform(0, 5))  # the 5-minute escalation job
        text = rng.choice(_ISSUE_TEXT[issue])
        plan = FeedbackPlan(rng.randint(1, 2), [issue], text, created, FeedbackStatus.ESCALATED, escalated_at=escalated)
        half_of(sites[i]).feedback.append(plan)
    rating, issues, text = 2, [FeedbackIssue.DIRTY], rng.choice(_ISSUE_TEXT[FeedbackIssue.DIRTY])
    created = now - dt.timedelta(days=rng.uniform(4, 12))
    escalated = created + due + dt.timedelta(minutes=rng.uniform(0, 5))
    replied = escalated + dt.timedelta(hours=rng.uniform(2, 20))
    late = FeedbackPlan(
        rating, issues, text, created, FeedbackStatus.ANSWERED, _reply_to(rng, issues), replied, escalated
    )
    half_of(sites[order[6]]).feedback.append(late)


def insert_feedback(named: Sequence[Half], operators: dict[str, User]) -> int:
    feedback = []
    for half in named:
        assert half.site is not None
        for f in half.feedback:
            feedback.append(
                Feedback(
                    station=half.station,
                    rating=f.rating,
                    issues=f.issues,
                    text=f.text,
                    status=f.status,
                    created_at=f.created_at,
                    reply_due_at=f.created_at + dt.timedelta(hours=services.FEEDBACK_REPLY_HOURS),
                    reply=f.reply,
                    replied_at=f.replied_at,
                    replied_by=operators[half.site.key] if f.replied_at else None,
                    escalated_at=f.escalated_at,
                )
            )
    Feedback.objects.bulk_create(feedback, batch_size=1000)
    return len(feedback)
