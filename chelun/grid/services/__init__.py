"""Writes of the grid app, by sub-domain: coverage drawing, consent and pings, the mobile-member lifecycle."""

from chelun.grid.services.coverage import coverage_set, responsible_branch_at
from chelun.grid.services.mobile import (
    attachment_confirm,
    attachment_suggest,
    contact_record,
    lost_contact_flag,
    member_return,
    outflow_register,
)
from chelun.grid.services.pings import BatchResult, PingItem, consent_given, consent_set, pings_record, pings_roll_up

__all__ = [
    "BatchResult",
    "PingItem",
    "attachment_confirm",
    "attachment_suggest",
    "consent_given",
    "consent_set",
    "contact_record",
    "coverage_set",
    "lost_contact_flag",
    "member_return",
    "outflow_register",
    "pings_record",
    "pings_roll_up",
    "responsible_branch_at",
]
