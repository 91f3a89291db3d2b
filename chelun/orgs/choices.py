from django.db import models


class OrgKind(models.TextChoices):
    INDUSTRY_COMMITTEE = "industry_committee", "行业党委"
    COMMITTEE = "committee", "党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    JOINT_BRANCH = "joint_branch", "联合党支部"
    GRID_BRANCH = "grid_branch", "网格化流动党员党支部"
    TEMPORARY_BRANCH = "temporary_branch", "临时党支部"


# Kinds counted as "party organisations built in the industry" (the province's 522).
INDUSTRY_BUILT_KINDS = (OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH, OrgKind.JOINT_BRANCH)


class OrgSector(models.TextChoices):
    AUTHORITY = "authority", "行业主管部门"
    COMPANY = "company", "货运企业"
    PARK = "park", "物流园区"
    PLATFORM = "platform", "货运平台"
    GRID = "grid", "网格"
    PROJECT = "project", "项目"


class OrgStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    DISSOLVED = "dissolved", "已撤销"


class Role(models.TextChoices):
    ADMIN = "admin", "管理员"
    SECRETARY = "secretary", "书记"
    VIEWER = "viewer", "查看"
    STATION_OPERATOR = "station_operator", "站长"
    FREIGHT_STAFF = "freight_staff", "货运平台人员"
    SUPERVISOR = "supervisor", "督查"
    AUDITOR = "auditor", "审计"


class RuleCategory(models.TextChoices):
    ORGANISATION = "organisation", "组织建设"
    MEMBERSHIP = "membership", "党员管理"
    EDUCATION = "education", "教育培训"
    DUES = "dues", "党费管理"
    SUPERVISION = "supervision", "监督考核"
    SERVICE = "service", "服务保障"
    WORK = "work", "工作机制"


class RuleStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    EFFECTIVE = "effective", "有效"
    REPEALED = "repealed", "已废止"
