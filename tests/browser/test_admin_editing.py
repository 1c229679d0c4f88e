"""The admin editing flow in a real browser: what only JavaScript and real forms show."""

from playwright.sync_api import expect

from apps.articles.models import Article
from tests.factories import ArticleFactory


def test_editor_writes_an_article_with_sections_in_the_admin(page, site, admin_login, screenshot):
    admin_login()
    page.goto(f"{site}/admin/articles/article/add/")
    page.locator("#id_title").press_sequentially("Seoul's Quiet Hedge")
    # The slug is prepopulated from the title by the admin's own script.
    assert page.input_value("#id_slug") == "seouls-quiet-hedge"
    page.fill("#id_dek", "South Korea keeps its options open.")
    page.select_option("#id_format", label="Analysis")

    add_section = page.locator("#sections-group .add-row a")
    for n, heading in enumerate(["Why hedge now", "Costs of the hedge"]):
        add_section.click()
        page.fill(f"#id_sections-{n}-position", str(n))
        page.fill(f"#id_sections-{n}-heading", heading)
        page.fill(f"#id_sections-{n}-body", f"Paragraph {n} with <script>alert({n})</script>.")
    screenshot("admin-article-add", width=1280)
    page.click("input[name=_save]")
    page.wait_for_url(f"{site}/admin/articles/article/")
    assert "was added successfully" in page.text_content(".messagelist")

    article = Article.objects.get(slug="seouls-quiet-hedge")
    assert article.status == Article.Status.DRAFT
    assert [s.anchor for s in article.sections.all()] == ["why-hedge-now", "costs-of-the-hedge"]
    assert all("<script" not in s.body_html for s in article.sections.all())


def test_duplicate_anchor_shows_a_form_error_and_keeps_the_text(page, site, admin_login):
    admin_login()
    page.goto(f"{site}/admin/articles/article/add/")
    page.fill("#id_title", "Anchors clash")
    page.select_option("#id_format", label="Analysis")
    add_section = page.locator("#sections-group .add-row a")
    for n in range(2):
        add_section.click()
        page.fill(f"#id_sections-{n}-position", str(n))
        page.fill(f"#id_sections-{n}-heading", f"Heading {n}")
        page.fill(f"#id_sections-{n}-anchor", "same")
        page.fill(f"#id_sections-{n}-body", f"Careful text number {n}")
    page.click("input[name=_save]")

    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator("#sections-group")).to_contain_text("already uses the anchor")
    assert page.input_value("#id_sections-1-body") == "Careful text number 1"
    assert not Article.objects.filter(title="Anchors clash").exists()


def test_tag_field_suggests_existing_tags(page, site, admin_login):
    ArticleFactory(tags=["alliances", "deterrence"])
    admin_login()
    page.goto(f"{site}/admin/articles/article/add/")
    page.locator("#id_tags").press_sequentially("trade, all")
    option = page.locator("#id_tags-suggestions option")
    expect(option).to_have_count(1)
    assert option.get_attribute("value") == "trade, alliances, "
