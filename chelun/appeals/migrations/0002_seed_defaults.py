"""Seed the default categories, routing rules and knowledge-base entries (chelun/appeals/defaults.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from chelun.appeals.defaults import seed_articles, seed_defaults

    category = apps.get_model("appeals", "Category")
    seed_defaults(category, apps.get_model("appeals", "RoutingRule"))
    seed_articles(apps.get_model("appeals", "Article"), apps.get_model("appeals", "ArticleToken"), category)


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
