from django.db import models


class MobileStatus(models.TextChoices):
    AWAY = "away", "在外流动"
    RETURNED = "returned", "已回归"


class OutflowReason(models.TextChoices):
    FREIGHT = "freight", "长途货运"
    WORK = "work", "外出务工经商"
    RESIDENCE = "residence", "居住地改变"
    OTHER = "other", "其他"


class PingRejection(models.TextChoices):
    """Why a ping of a batch was refused (the whole batch is then refused)."""

    IMPOSSIBLE = "impossible_coordinates", "坐标不可能"
    OUTSIDE = "outside_sichuan", "不在四川省范围内"
    FUTURE = "future", "时间晚于当前"
    TOO_OLD = "too_old", "时间过早，超出保留期"
    TOO_FAST = "too_fast", "移动速度超过货车可能"
    DUPLICATE_IN_BATCH = "duplicate_in_batch", "同一批次中客户端编号重复"
