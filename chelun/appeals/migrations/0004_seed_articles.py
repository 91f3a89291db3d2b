"""Seed the knowledge base: the province's measures and common questions (chelun/appeals/defaults.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from chelun.appeals.defaults import seed_articles

    seed_articles(
        apps.get_model("appeals", "Article"),
        apps.get_model("appeals", "ArticleToken"),
        apps.get_model("appeals", "Category"),
    )


class Migration(migrations.Migration):
    dependencies = [("appeals", "0003_knowledge_base")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
