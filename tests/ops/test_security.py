import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from config.middleware import client_ip
from tests.factories import ArticleFactory

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x" * 20 + "-test-only-secret-key-with-enough-entropy-0123456789",
    "ALLOWED_HOSTS": "analysis.example.org",
    "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
}


def run_django(env_overrides: dict[str, str | None], *args: str) -> subprocess.CompletedProcess:
    # A production process starts from a clean slate: no test-only switches either.
    unset = {"DJANGO_ENV", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(PRODUCTION_ENV)
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_real_secret_key():
    for key in (None, "short", "django-insecure-development-only-key-do-not-use-in-production"):
        result = run_django({"SECRET_KEY": key}, "check")
        assert result.returncode != 0
        assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_django({"ALLOWED_HOSTS": None}, "check")

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_deployment_checklist_passes_with_production_settings():
    result = run_django({}, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/admin/login/", "/no-such-page/"])
def test_security_headers_are_on_every_response(client, url):
    response = client.get(url)

    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_cached_pages_keep_their_security_headers(page_cache, reader):
    article = ArticleFactory()
    reader.get(article.get_absolute_url())

    hit = reader.get(article.get_absolute_url())

    assert hit["X-Cache"] == "HIT"
    assert "frame-ancestors 'none'" in hit["Content-Security-Policy"]
    assert hit["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_hsts_covers_a_year_and_subdomains_over_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    response = client.get("/", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_httponly_and_samesite(client, admin_user):
    response = client.post(
        reverse("admin:login"), {"username": admin_user.username, "password": "password"}
    )

    session = response.cookies["sessionid"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    csrf = Client().get(reverse("admin:login")).cookies["csrftoken"]
    assert csrf["httponly"]
    assert csrf["samesite"] == "Lax"


@pytest.mark.django_db
def test_admin_session_ends_after_thirty_idle_minutes(client, admin_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(admin_user)
        clock.shift(timedelta(minutes=29))
        assert client.get("/admin/").status_code == 200

        clock.shift(timedelta(minutes=31))
        response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_activity_keeps_an_admin_session_alive_past_thirty_minutes(client, admin_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(admin_user)
        for _ in range(4):
            clock.shift(timedelta(minutes=20))
            assert client.get("/admin/").status_code == 200
        expiry = Session.objects.get().expire_date

    assert expiry == start + timedelta(minutes=80 + 30)


@pytest.mark.django_db
def test_idle_timeout_is_configurable(client, admin_user, settings):
    settings.SESSION_COOKIE_AGE = 5 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(admin_user)
        clock.shift(timedelta(minutes=6))
        assert client.get("/admin/").status_code == 302


# --- Login throttling ---------------------------------------------------------------------


def fail_login(username: str, remote_addr: str = "198.51.100.7", forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return Client().post(
        reverse("admin:login"), {"username": username, "password": "wrong"}, **extra
    )


def login(username: str, password: str, remote_addr: str = "198.51.100.99", **extra):
    return Client().post(
        reverse("admin:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=remote_addr,
        **extra,
    )


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user(
        "editor", password="a-long-editor-password", is_staff=True
    )


@pytest.mark.django_db
def test_an_account_locks_after_repeated_failures_even_from_many_addresses(editor, settings):
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert fail_login("editor", remote_addr=f"203.0.113.{n}").status_code == 200
    assert fail_login("editor", remote_addr="203.0.113.250").status_code == 429

    response = login("editor", "a-long-editor-password")

    assert response.status_code == 429
    assert "_auth_user_id" not in response.client.session


@pytest.mark.django_db
def test_a_client_locks_after_repeated_failures_across_accounts(editor, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        fail_login(f"guess{n}", remote_addr="198.51.100.7")

    assert login("editor", "a-long-editor-password", remote_addr="198.51.100.7").status_code == 429
    assert login("editor", "a-long-editor-password", remote_addr="198.51.100.8").status_code == 302


@pytest.mark.django_db
def test_rotating_x_forwarded_for_behind_the_proxy_does_not_escape_the_lock(editor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "172.18.0.5"
    for n in range(settings.AXES_FAILURE_LIMIT):
        # The client invents a new address each time; the proxy appends the real one.
        fail_login(f"guess{n}", remote_addr=proxy, forwarded=f"10.9.9.{n}, 198.51.100.7")

    locked = login(
        "editor",
        "a-long-editor-password",
        remote_addr=proxy,
        HTTP_X_FORWARDED_FOR="10.1.2.3, 198.51.100.7",
    )
    other_client = login(
        "editor", "a-long-editor-password", remote_addr=proxy, HTTP_X_FORWARDED_FOR="192.0.2.1"
    )

    assert locked.status_code == 429
    assert other_client.status_code == 302


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        (0, "198.51.100.7", "1.1.1.1", "198.51.100.7"),
        (1, "172.18.0.5", "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        (1, "172.18.0.5", "198.51.100.7", "198.51.100.7"),
        (2, "10.0.0.2", "6.6.6.6, 198.51.100.7, 172.18.0.5", "198.51.100.7"),
        (2, "10.0.0.2", "198.51.100.7", "10.0.0.2"),
        (1, "172.18.0.5", "", "172.18.0.5"),
    ],
)
def test_client_ip_trusts_exactly_the_configured_proxies(
    rf, settings, count, remote, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = count
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected
