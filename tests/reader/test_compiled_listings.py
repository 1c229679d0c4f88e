"""Listings and the public-tag check run SQL compiled once per process: the values and the
clock are bound on every call."""

from datetime import timedelta

import pytest
import time_machine
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone

from apps.articles import reader, rendering

from .conftest import publish

pytestmark = pytest.mark.django_db


def listed(**terms) -> list[int]:
    page = rendering.card_page(RequestFactory().get("/"), **terms)
    return [row.pk for row in page.object_list]


def test_one_compiled_listing_serves_every_term_and_pairs_of_terms(japan, korea, trade):
    on_japan = publish(title="Japan", regions=[japan], themes=[trade], days_ago=2)
    on_korea = publish(title="Korea", regions=[korea], days_ago=1)
    rendering._listing_query.cache_clear()
    assert listed(regions=japan.pk) == [on_japan.pk]
    assert listed(regions=korea.pk) == [on_korea.pk]
    assert listed(regions=japan.pk, themes=trade.pk) == [on_japan.pk]
    assert listed(regions=korea.pk, themes=trade.pk) == []
    assert listed() == [on_korea.pk, on_japan.pk]
    info = rendering._listing_query.cache_info()
    # ("regions",), ("regions", "themes") and () compiled once each.
    assert (info.misses, info.hits) == (3, 2)


def test_a_scheduled_piece_joins_a_compiled_listing_when_its_time_comes(japan):
    now = publish(title="Now", regions=[japan], days_ago=1)
    soon = publish(title="Soon", regions=[japan], days_ago=-1)
    assert listed(regions=japan.pk) == [now.pk]
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert listed(regions=japan.pk) == [soon.pk, now.pk]


def test_a_tag_is_public_once_a_published_piece_carries_it(japan):
    publish(title="Soon", tags=["embargoed"], days_ago=-1)
    with pytest.raises(Http404):
        reader.public_tag("embargoed")
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert reader.public_tag("embargoed").name == "embargoed"
    with pytest.raises(Http404):
        reader.public_tag("no-such-tag")
