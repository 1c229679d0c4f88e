"""The container files' structure: Docker cannot run in CI, so their shape is checked here and
their behaviour by `make smoke` (the same entrypoint and gunicorn config, run natively)."""

import os
import re
from pathlib import Path

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def documented_variables() -> set[str]:
    text = (BASE_DIR / ".env.example").read_text()
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_compose_runs_database_cache_web_and_proxy(services):
    assert {"db", "redis", "web", "proxy"} <= set(services)


def test_database_is_the_official_postgresql_18_image_on_a_named_volume(compose, services):
    db = services["db"]
    assert db["image"].split(":") == ["postgres", "18"]
    volume = db["volumes"][0].split(":")
    assert volume[1] == "/var/lib/postgresql"
    assert volume[0] in compose["volumes"]


@pytest.mark.parametrize("name", ["db", "redis", "web", "proxy"])
def test_every_service_has_a_healthcheck(services, name):
    check = services[name]["healthcheck"]
    assert check["test"][0] in {"CMD", "CMD-SHELL"}
    assert check["interval"] and check["retries"] >= 3


def test_web_waits_for_a_healthy_database_and_cache(services):
    depends = services["web"]["depends_on"]
    assert depends["db"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_web_runs_production_settings_against_the_compose_services(services):
    env = services["web"]["environment"]
    assert env["DJANGO_ENV"] == "production"
    assert "@db:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:6379")
    assert env["SECRET_KEY_FILE"].startswith("/app/var/state/")
    assert env["ALLOWED_HOSTS"]
    assert env["LOAD_DEMO"] == "${LOAD_DEMO:-0}"


def test_web_is_reachable_only_through_the_one_trusted_proxy(services):
    assert "ports" not in services["web"]
    assert services["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}"
    assert services["proxy"]["ports"]
    nginx = (BASE_DIR / "docker" / "nginx.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in nginx
    assert "./docker/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in services["proxy"]["volumes"]


def test_media_and_state_live_on_named_volumes(compose, services):
    mounts = dict(v.split(":")[:2] for v in services["web"]["volumes"])
    assert mounts["media"] == services["web"]["environment"]["MEDIA_ROOT"]
    assert mounts["state"] == "/app/var/state"
    assert {"pgdata", "media", "state"} <= set(compose["volumes"])


def test_every_compose_variable_is_documented_in_env_example():
    text = (BASE_DIR / "docker-compose.yml").read_text()
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))

    assert used - documented_variables() == set()


def test_every_variable_the_app_reads_is_documented_in_env_example():
    pattern = re.compile(
        r"(?:env_(?:str|bool|int|list)\(|os\.environ(?:\.get)?[(\[])\s*\"([A-Z][A-Z0-9_]*)\""
    )
    sources = [
        BASE_DIR / "config" / "settings.py",
        BASE_DIR / "gunicorn.conf.py",
        BASE_DIR / "docker" / "prestart.py",
    ]
    read = {name for path in sources for name in pattern.findall(path.read_text())}
    entrypoint = (BASE_DIR / "docker" / "entrypoint.sh").read_text()
    read |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", entrypoint))
    read -= {"DJANGO_SETTINGS_MODULE", "PYTHON"}

    assert read - documented_variables() == set()


def test_dockerfile_builds_in_stages_and_runs_as_an_unprivileged_user():
    lines = [
        line.strip()
        for line in (BASE_DIR / "Dockerfile").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    stages = [line for line in lines if line.startswith("FROM ")]
    assert len(stages) >= 2
    assert all("slim" in line or "${PYTHON_IMAGE}" in line for line in stages)
    final = lines[lines.index(stages[-1]) :]
    users = [line.split()[1] for line in final if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}
    text = "\n".join(lines)
    assert "-r /tmp/requirements.lock" in text
    assert "collectstatic --noinput" in text
    assert any(line.startswith("HEALTHCHECK ") for line in final)
    assert 'ENTRYPOINT ["docker/entrypoint.sh"]' in final


def test_entrypoint_is_an_executable_posix_script():
    entrypoint = BASE_DIR / "docker" / "entrypoint.sh"
    assert os.access(entrypoint, os.X_OK)
    assert entrypoint.read_text().startswith("#!/bin/sh\n")
    assert 'exec "$@"' in entrypoint.read_text()
