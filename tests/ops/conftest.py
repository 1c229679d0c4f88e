import pytest
from django.test import Client


@pytest.fixture
def page_cache(settings):
    """The whole-page cache switched on, as in production with Redis."""
    from config.caching import forget_generation

    # The generation memo would otherwise outlive the cache the autouse fixture clears.
    forget_generation()
    settings.PAGE_CACHE_SECONDS = 300
    settings.PAGE_CACHE_STALE_SECONDS = 30
    return settings


@pytest.fixture
def reader() -> Client:
    """An anonymous reader: no cookies at all."""
    return Client()
