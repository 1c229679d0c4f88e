"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Shared by every browser test: launch arguments for Debian's build, a transactional database
that restores the seeded vocabularies after each test, screenshots saved under
test-artifacts/, axe-core for accessibility and the Nu HTML checker for validity.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

BASE_DIR = Path(__file__).resolve().parent.parent.parent
ARTIFACTS = BASE_DIR / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
VNU_JAR = BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# there are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            # Live-server tests commit; serialized_rollback restores the seeded vocabularies.
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium.")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def site(live_server) -> str:
    """The live server's base URL, without a trailing slash."""
    return live_server.url.rstrip("/")


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot to test-artifacts/screenshots/<name>.png."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def take(name: str, width: int | None = None) -> Path:
        if width:
            page.set_viewport_size({"width": width, "height": 900})
        path = folder / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def assert_accessible(page, axe):
    """Fail on axe-core violations of serious or critical impact on the current page."""

    def check(label: str) -> None:
        results = axe.run(page)
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(node["target"][0] for node in v["nodes"][:3])
            for v in results.response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        assert not bad, f"axe violations on {label}:\n" + "\n".join(bad)

    return check


def nu_check(documents: dict[str, str]) -> list[str]:
    """Run the Nu HTML checker once over several documents; return its errors."""
    if not VNU_JAR.exists():
        pytest.fail(f"{VNU_JAR} is missing: `make test` installs it with npm.")
    java = shutil.which("java")
    if not java:
        pytest.fail("java not found: the Nu HTML checker needs a Java runtime.")
    folder = ARTIFACTS / "html"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, html in documents.items():
        path = folder / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.html"
        path.write_text(html, encoding="utf-8")
        paths.append(str(path))
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *paths],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m.get('message')}"
        for m in messages
        if m.get("type") == "error"
    ]


@pytest.fixture
def assert_valid_html():
    def check(documents: dict[str, str]) -> None:
        errors = nu_check(documents)
        assert not errors, "Nu HTML checker errors:\n" + "\n".join(errors)

    return check


@pytest.fixture
def admin_login(page, site, django_user_model):
    """Log a user into the admin through the login form; returns the user."""

    def login(username: str = "editor", password: str = "a-long-test-password", **extra):
        user = django_user_model.objects.filter(username=username).first()
        if user is None:
            defaults = {"is_staff": True, "is_superuser": True, **extra}
            user = django_user_model.objects.create_user(username, password=password, **defaults)
        page.goto(f"{site}/admin/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("input[type=submit]")
        page.wait_for_url(f"{site}/admin/")
        return user

    return login
