"""The editorial workflow in a real browser: Writer drafts, Editor previews, shares, schedules;
a stale second edit is refused; a revision is restored; the article goes public on time."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from apps.articles.models import Article
from tests.browser.conftest import ARTIFACTS

PASSWORD = "a-long-test-password"


@pytest.fixture
def role_user(django_user_model):
    def make(username: str, role: str, first: str):
        user = django_user_model.objects.create_user(
            username, password=PASSWORD, is_staff=True, first_name=first, last_name=role
        )
        user.groups.add(Group.objects.get(name=role))
        return user

    return make


def log_in(page, site: str, username: str) -> None:
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{site}/admin/")


def choose_region(page, name: str) -> None:
    """The regions field is a select2 autocomplete."""
    page.click(".field-regions .select2-selection")
    page.fill(".select2-search__field", name)
    page.click(f".select2-results__option:has-text('{name}')")


def test_writer_drafts_editor_previews_shares_schedules_and_restores(
    page, browser, site, role_user, screenshot, time_machine
):
    role_user("wendy", "Writer", "Wendy")
    role_user("edith", "Editor", "Edith")
    role_user("ed", "Editor", "Ed")

    # --- A Writer drafts an article with three sections and submits it -----------------------
    log_in(page, site, "wendy")
    page.goto(f"{site}/admin/articles/article/add/")
    page.fill("#id_title", "Seoul's Quiet Hedge")
    page.fill("#id_dek", "South Korea keeps its options open.")
    page.select_option("#id_format", label="Analysis")
    choose_region(page, "South Korea")
    expect(page.locator("#id_publish_at_0")).to_be_disabled()  # Writers do not schedule
    add_section = page.locator("#sections-group .add-row a")
    for n, heading in enumerate(["Why hedge now", "Costs of the hedge", "What Washington sees"]):
        add_section.click()
        page.fill(f"#id_sections-{n}-position", str(n))
        page.fill(f"#id_sections-{n}-heading", heading)
        page.fill(f"#id_sections-{n}-body", f"Paragraph **{n}** with <script>alert({n})</script>.")
    # The live preview renders with the public renderer: bold kept, script stripped.
    preview = page.locator("[data-preview-for='id_sections-2-body']")
    expect(preview.locator("strong")).to_have_text("2")
    expect(preview.locator("script")).to_have_count(0)
    screenshot("editorial-writer-draft", width=1280)
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    article = Article.objects.get(title="Seoul's Quiet Hedge")
    assert article.sections.count() == 3
    expect(page.locator("button[value=publish]")).to_have_count(0)
    page.click("button[value=submit]")
    expect(page.locator(".messagelist")).to_contain_text("was submitted for review")
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW

    # --- An Editor previews it and shares a link that works logged out ------------------------
    editor = browser.new_context().new_page()
    log_in(editor, site, "edith")
    change = f"{site}/admin/articles/article/{article.pk}/change/"
    editor.goto(change)
    editor.click("#preview-link")
    expect(editor.locator(".preview-banner")).to_contain_text("Preview — not published")
    expect(editor.locator("h1")).to_contain_text("Seoul's Quiet Hedge")
    editor.goto(change)
    editor.click("#share-link")
    message = editor.locator(".messagelist").inner_text()
    shared_url = re.search(r"https?://\S+/editorial/preview/shared/\S+/", message).group(0)
    outsider = browser.new_context().new_page()
    outsider.goto(shared_url)
    expect(outsider.locator(".preview-banner")).to_contain_text("Shared for review")
    expect(outsider.locator("h1")).to_contain_text("Seoul's Quiet Hedge")

    # --- A stale second edit is refused, with the other editor's change shown ------------------
    second = browser.new_context().new_page()
    log_in(second, site, "ed")
    second.goto(change)
    editor.goto(change)
    editor.fill("#id_sections-0-body", "Edith's sharper opening paragraph.")
    editor.click("input[name=_continue]")
    expect(editor.locator(".messagelist")).to_contain_text("was changed successfully")
    second.fill("#id_dek", "Ed's alternative standfirst.")
    second.click("input[name=_continue]")
    expect(second.locator(".errorlist.nonfield")).to_contain_text("Edith Editor saved this article")
    expect(second.locator(".editorial-conflict")).to_contain_text("Changed by Edith Editor")
    expect(second.locator(".editorial-conflict ins")).to_contain_text(["sharper"])
    expect(second.locator("#id_dek")).to_have_value("Ed's alternative standfirst.")
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    second.screenshot(
        path=str(ARTIFACTS / "screenshots" / "editorial-conflict.png"), full_page=True
    )
    article.refresh_from_db()
    assert article.dek == "South Korea keeps its options open."

    # --- A revision is restored ----------------------------------------------------------------
    editor.goto(f"{site}/admin/articles/article/{article.pk}/history/")
    expect(editor.locator("#revisions")).to_contain_text("Draft → In review")
    editor.locator("#revisions a:has-text('Restore')").last.click()
    expect(editor.locator(".editorial-diff")).to_contain_text("sharper")
    editor.click("input[value='Restore this revision']")
    expect(editor.locator(".messagelist")).to_contain_text("was restored")
    assert article.sections.get(position=0).body.startswith("Paragraph **0**")

    # --- The Editor schedules it: absent before its time, present after ------------------------
    when = timezone.localtime(timezone.now() + timedelta(hours=3)).replace(second=0, microsecond=0)
    editor.goto(change)
    editor.fill("#id_publish_at_0", when.strftime("%Y-%m-%d"))
    editor.fill("#id_publish_at_1", when.strftime("%H:%M:%S"))
    editor.click("button[value=publish]")
    expect(editor.locator(".messagelist")).to_contain_text("was scheduled")
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and article.publish_at == when

    reader = browser.new_context().new_page()
    url = f"{site}{article.get_absolute_url()}"
    assert reader.goto(url).status == 404
    reader.goto(f"{site}/")
    expect(reader.locator("body")).not_to_contain_text("Seoul's Quiet Hedge")

    time_machine.move_to(when + timedelta(minutes=1))
    assert reader.goto(url).status == 200
    expect(reader.locator("h1")).to_contain_text("Seoul's Quiet Hedge")
    expect(reader.locator(".preview-banner")).to_have_count(0)
    reader.goto(f"{site}/")
    expect(reader.locator("body")).to_contain_text("Seoul's Quiet Hedge")
