"""Dates in the home blocks and rails (`reader.Teaser`)."""

import pytest

from apps.articles import reader

pytestmark = pytest.mark.django_db


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
