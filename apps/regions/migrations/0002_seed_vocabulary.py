from django.db import migrations

PARENTS = [
    {"slug": "east-asia", "name": "East Asia", "order": 10,
     "description": "Northeast and Southeast Asia: alliances, supply chains and rivalries."},
]
REGIONS = [
    {"slug": "japan", "name": "Japan", "iso_code": "JP", "order": 20, "parent": "east-asia",
     "description": "Japan's security posture, economic statecraft and regional diplomacy."},
    {"slug": "south-korea", "name": "South Korea", "iso_code": "KR", "order": 30,
     "parent": "east-asia",
     "description": "South Korea's alliance politics, deterrence and trade strategy."},
    {"slug": "united-states", "name": "United States", "iso_code": "US", "order": 40,
     "description": "Washington's commitments, tariffs and strategy in the Indo-Pacific."},
]
THEMES = [
    {"slug": "security", "name": "Security", "order": 10,
     "description": "Deterrence, alliances, defence spending and military balance."},
    {"slug": "trade", "name": "Trade", "order": 20,
     "description": "Tariffs, supply chains, investment and economic security."},
    {"slug": "hedging", "name": "Hedging", "order": 30,
     "description": "How states spread their bets between great powers."},
]  # fmt: skip


def seed(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    Theme = apps.get_model("regions", "Theme")
    for row in PARENTS:
        Region.objects.update_or_create(slug=row["slug"], defaults=row)
    for row in REGIONS:
        row = dict(row)
        parent = row.pop("parent", None)
        row["parent"] = Region.objects.get(slug=parent) if parent else None
        Region.objects.update_or_create(slug=row["slug"], defaults=row)
    for row in THEMES:
        Theme.objects.update_or_create(slug=row["slug"], defaults=row)


def unseed(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    Theme = apps.get_model("regions", "Theme")
    Region.objects.filter(slug__in=[r["slug"] for r in REGIONS]).delete()
    Region.objects.filter(slug__in=[r["slug"] for r in PARENTS]).delete()
    Theme.objects.filter(slug__in=[t["slug"] for t in THEMES]).delete()


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
