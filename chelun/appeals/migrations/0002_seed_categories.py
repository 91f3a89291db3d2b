"""Seed the default categories and routing rules (chelun/appeals/defaults.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from chelun.appeals.defaults import seed_defaults

    seed_defaults(apps.get_model("appeals", "Category"), apps.get_model("appeals", "RoutingRule"))


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
