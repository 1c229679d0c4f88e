from django.db import migrations

FORMATS = [
    {"slug": "analysis", "name": "Analysis", "order": 10,
     "description": "In-depth examination of a policy question, with evidence and options."},
    {"slug": "commentary", "name": "Commentary", "order": 20,
     "description": "An expert's argued view on a current development."},
    {"slug": "brief", "name": "Brief", "order": 30,
     "description": "A short, structured summary for busy readers."},
    {"slug": "report", "name": "Report", "order": 40,
     "description": "A long study, usually the product of a research project."},
    {"slug": "explainer", "name": "Explainer", "order": 50,
     "description": "Background on how something works and why it matters."},
]  # fmt: skip


def seed(apps, schema_editor):
    Format = apps.get_model("articles", "Format")
    for row in FORMATS:
        Format.objects.update_or_create(slug=row["slug"], defaults=row)


def unseed(apps, schema_editor):
    Format = apps.get_model("articles", "Format")
    Format.objects.filter(slug__in=[f["slug"] for f in FORMATS], articles__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
