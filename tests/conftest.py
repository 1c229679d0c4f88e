import os
from pathlib import Path

import pytest

SEED_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "seed"


@pytest.fixture
def seed_dir() -> Path:
    """The shared seed documents; present in CI, absent in a clone elsewhere."""
    if not SEED_DIR.is_dir():
        pytest.skip(f"platform: the shared seed folder {SEED_DIR} is absent outside CI")
    return SEED_DIR


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test starts with an empty cache and no whole-page cache.

    The page cache would otherwise carry pages across tests whose data was rolled back, and
    add its own lookups to pinned query counts; tests/ops enables it where it is the subject.
    """
    from django.core.cache import cache

    settings.PAGE_CACHE_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _in_memory_media(settings):
    """Uploads and renditions go to memory through the storage API, never to MEDIA_ROOT."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.InMemoryStorage",
            "OPTIONS": {"base_url": settings.MEDIA_URL},
        },
    }


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: nothing may quietly go untested."""
    if os.environ.get("CI") != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and exitstatus == 0:
        reporter.write_line(f"{len(skipped)} test(s) skipped in CI: failing the run.", red=True)
        session.exitstatus = 1
