import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from apps.articles.models import Format
from apps.regions.models import Region, Theme

pytestmark = pytest.mark.django_db


def test_seeded_regions_and_themes_exist():
    assert set(Region.objects.values_list("slug", flat=True)) >= {
        "japan",
        "south-korea",
        "united-states",
    }
    assert Region.objects.get(slug="japan").iso_code == "JP"
    assert Region.objects.get(slug="south-korea").parent.slug == "east-asia"
    assert set(Theme.objects.values_list("slug", flat=True)) >= {"security", "trade", "hedging"}
    assert Format.objects.filter(slug="analysis").exists()


def test_region_slugs_are_unique_and_not_empty():
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(name="Japan again", slug="japan")
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(name="Nowhere", slug="")


@pytest.mark.django_db(transaction=True)
def test_seed_migration_is_reversible():
    call_command("migrate", "regions", "0001", verbosity=0)
    assert not Region.objects.filter(slug="japan").exists()
    call_command("migrate", verbosity=0)
    assert Region.objects.filter(slug="japan").exists()
