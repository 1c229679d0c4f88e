import json

import pytest
from django.db import connection
from django.test import Client

from config import health
from tests.factories import ArticleFactory


@pytest.mark.django_db
def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}


def test_health_checks_answer_whatever_the_host_header(settings):
    settings.ALLOWED_HOSTS = ["analysis.example.org"]

    response = Client(HTTP_HOST="10.0.0.7:8000").get("/healthz")

    assert response.status_code == 200


@pytest.mark.django_db
def test_readyz_reports_database_and_cache(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_503_when_the_cache_is_down(client, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(health.cache, "set", down)
    response = client.get("/readyz")

    assert response.status_code == 503
    assert json.loads(response.content)["cache"] == "unavailable"


class DatabaseDown:
    """Point the default connection at a closed port, as when PostgreSQL is stopped."""

    def __enter__(self):
        connection.close()
        self.saved = (connection.settings_dict["HOST"], connection.settings_dict["PORT"])
        connection.settings_dict.update(HOST="127.0.0.1", PORT="1")

    def __exit__(self, *exc):
        connection.close()
        connection.settings_dict["HOST"], connection.settings_dict["PORT"] = self.saved


@pytest.mark.django_db(transaction=True)
def test_readyz_is_503_when_the_database_is_down():
    with DatabaseDown():
        response = Client().get("/readyz")

    assert response.status_code == 503
    assert json.loads(response.content)["database"] == "unavailable"


@pytest.mark.django_db(transaction=True)
def test_database_outage_gives_readers_a_friendly_503_and_recovers_without_restart():
    article = ArticleFactory(title="Export controls explained")
    reader = Client(raise_request_exception=False)

    with DatabaseDown():
        down = reader.get(article.get_absolute_url())
        home_down = reader.get("/")

    assert down.status_code == 503
    assert home_down.status_code == 503
    assert down["Retry-After"] == "30"
    assert b"back shortly" in down.content
    assert b"Traceback" not in down.content
    assert down.templates == [] or "503.html" in [t.name for t in down.templates]

    up = reader.get(article.get_absolute_url())
    assert up.status_code == 200
    assert b"Export controls explained" in up.content


@pytest.mark.urls("tests.ops.urls")
def test_other_errors_are_a_friendly_500():
    response = Client(raise_request_exception=False).get("/ops-test/explodes/")

    assert response.status_code == 500
    assert b"Something went wrong" in response.content
