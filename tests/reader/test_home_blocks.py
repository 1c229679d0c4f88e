"""The home page's blocks: each region's and theme's newest published pieces."""

import pytest

from apps.articles import reader
from apps.articles.models import Article

from .conftest import publish

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("window", [1, 2, 3, 300])
def test_each_term_gets_its_newest_published_pieces_inside_the_window_or_beyond(
    window, japan, korea, trade, security
):
    newest = publish(title="Newest on Japan", regions=[japan], themes=[trade], days_ago=1)
    second = publish(title="Second on Japan", regions=[japan], days_ago=2)
    publish(title="Third on Japan", regions=[japan], days_ago=3)
    old = publish(title="Old on Korea", regions=[korea], themes=[security], days_ago=30)
    older = publish(title="Older on Korea", regions=[korea], days_ago=40)
    publish(title="Draft on Korea", regions=[korea], status=Article.Status.DRAFT, publish_at=None)
    publish(title="Scheduled on Japan", regions=[japan], days_ago=-1)

    regions, themes = reader.latest_by_term(reader.load_vocabulary(), per_term=2, window=window)

    def pks(teasers) -> list[int]:
        return [t.pk for t in teasers]

    assert pks(regions[japan.pk]) == [newest.pk, second.pk]
    assert pks(regions[korea.pk]) == [old.pk, older.pk]
    assert pks(themes[trade.pk]) == [newest.pk]
    assert pks(themes[security.pk]) == [old.pk]
    assert regions[japan.pk][0].url == newest.get_absolute_url()


def test_teaser_dates_read_as_the_date_filter_writes_them():
    from datetime import UTC, datetime

    from django.template.defaultfilters import date as date_filter

    from apps.articles.templatetags.reader import machine

    for month in range(1, 13):
        moment = datetime(2025, month, 9, 23, 30, tzinfo=UTC)
        teaser = reader.Teaser(1, "t", "t", moment)
        assert teaser.short_date == date_filter(moment, "j M Y")
        assert teaser.long_date == date_filter(moment, "j F Y")
        assert teaser.machine_date == machine(moment)
