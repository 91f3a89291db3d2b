"""An index on the audit log's (organisation path, timestamp), the path read from the entry's JSON: the audit page's
scope filter for a county or a branch is one range of it (core.audit.EntryOrgPath writes the same expression), and
the action and type filters are checked on it too. The
log entry is django-auditlog's model, so the index is created here, in the form each database needs."""

from typing import Any

from django.db import migrations

NAME = "auditlog_entry_org_path_ts"
EXPRESSIONS = {
    "sqlite": "json_extract(additional_data, '$.org_path'), timestamp, action, content_type_id",
    "postgresql": "((additional_data ->> 'org_path') COLLATE \"C\"), timestamp, action, content_type_id",
}


def create(apps: Any, schema_editor: Any) -> None:
    expression = EXPRESSIONS.get(schema_editor.connection.vendor)
    if expression:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON auditlog_logentry ({expression})")


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor in EXPRESSIONS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_export_job"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(create, drop)]
