from django.db import models


class AppealStatus(models.TextChoices):
    SUBMITTED = "submitted", "已提交"
    ACCEPTED = "accepted", "已受理"
    IN_PROGRESS = "in_progress", "办理中"
    REOPENED = "reopened", "已重新打开"
    RESOLVED = "resolved", "已办结"
    CONFIRMED = "confirmed", "已确认"
    CLOSED = "closed", "已关闭"
    MERGED = "merged", "已合并"


class AppealAction(models.TextChoices):
    """What someone does to an appeal; workflow.TRANSITIONS says which change the status and from where."""

    SUBMIT = "submit", "提交诉求"
    ACCEPT = "accept", "受理"
    START = "start", "开始办理"
    RESOLVE = "resolve", "办结"
    CONFIRM = "confirm", "司机确认并评价"
    REOPEN = "reopen", "司机重新打开"
    CLOSE = "close", "关闭"
    MERGE = "merge", "合并为重复诉求"
    TRANSFER = "transfer", "转办"
    ESCALATE = "escalate", "超期升级"
    SUPERVISE = "supervise", "挂牌督办"
    SUPERVISION_OVERDUE = "supervision_overdue", "督办超期"
    NOTE = "note", "内部备注"


class Party(models.TextChoices):
    DRIVER = "driver", "司机"
    STAFF = "staff", "工作人员"
    SYSTEM = "system", "系统"


class ContactPreference(models.TextChoices):
    PHONE = "phone", "电话联系"
    SMS = "sms", "短信"
    APP = "app", "平台消息"


class RouteTarget(models.TextChoices):
    COUNTY_COMMITTEE = "county_committee", "司机所在地县级行业党委"
    STATION_OPERATOR = "station_operator", "所涉暖心之家的运营组织"
    GRID_BRANCH = "grid_branch", "所在网格党支部"
    FIXED_ORG = "fixed_org", "指定组织"
