from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.articles.importer import ImportFileError, parse
from apps.articles.management.commands.import_article import Command
from apps.articles.models import Article, Section
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

SEED_FILE = "japan-south-korea-us-policy.txt"
SEED_TITLE = "Japan and South Korea Wary of US Foreign Policy Direction"
SEED_HEADINGS = [
    "A Longstanding Alliance Under New Pressure",
    "Signals From Washington That Raise Eyebrows",
    "The North Korea Factor",
    "Economic and Trade Dimensions",
    "Quiet Moves Toward Strategic Hedging",
    "Regional Implications in East Asia",
    "Managing Alliance Expectations",
    "What Comes Next for the US and Its Allies",
]


def run_import(*args: str) -> str:
    out = StringIO()
    call_command("import_article", *args, stdout=out)
    return out.getvalue()


def write(tmp_path: Path, content: str | bytes, name: str = "doc.txt") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --- The seed document, end to end ------------------------------------------------------------


@pytest.mark.django_db
def test_seed_document_imports_as_one_draft_with_a_lead_and_its_eight_sections(seed_dir):
    output = run_import(str(seed_dir / SEED_FILE))

    article = Article.objects.get()
    assert article.title == SEED_TITLE
    assert article.status == Article.Status.DRAFT
    assert article.publish_at is None
    assert list(article.sections.values_list("heading", flat=True)) == SEED_HEADINGS
    assert f"/admin/articles/article/{article.pk}/change/" in output


@pytest.mark.django_db
def test_seed_lead_is_the_text_before_the_first_heading_without_the_repeated_title(seed_dir):
    run_import(str(seed_dir / SEED_FILE))

    article = Article.objects.get()
    paragraphs = article.lead.split("\n\n")
    assert len(paragraphs) == 2
    assert SEED_TITLE not in article.lead
    assert all(p.rstrip().endswith(".") for p in paragraphs)
    assert article.lead_html.count("<p>") == 2


@pytest.mark.django_db
def test_seed_sections_get_anchors_from_headings_and_rendered_bodies(seed_dir):
    run_import(str(seed_dir / SEED_FILE))

    sections = list(Section.objects.order_by("position"))
    assert [s.position for s in sections] == list(range(8))
    assert sections[0].anchor == "a-longstanding-alliance-under-new-pressure"
    assert sections[-1].anchor == "what-comes-next-for-the-us-and-its-allies"
    assert len({s.anchor for s in sections}) == 8
    for section in sections:
        assert section.body.count("\n\n") == 1  # two paragraphs each, no heading swallowed
        assert section.body_html.count("<p>") == 2


@pytest.mark.django_db
def test_seed_import_computes_reading_time_after_the_sections_are_saved(seed_dir):
    run_import(str(seed_dir / SEED_FILE))

    # ~780 words at 230 a minute; an article saved before its sections would say 1.
    assert Article.objects.get().reading_time == 3


def test_seed_without_blank_lines_still_splits_into_the_same_sections(seed_dir):
    text = (seed_dir / SEED_FILE).read_text(encoding="utf-8")
    packed = "\n".join(line for line in text.splitlines() if line.strip())

    document = parse(packed)

    assert document.title == SEED_TITLE
    assert [s.heading for s in document.sections] == SEED_HEADINGS
    assert document.lead.count("\n\n") == 1


@pytest.mark.django_db
def test_importing_the_same_file_twice_makes_a_second_draft_with_its_own_slug(seed_dir):
    run_import(str(seed_dir / SEED_FILE))
    run_import(str(seed_dir / SEED_FILE))

    slugs = sorted(Article.objects.values_list("slug", flat=True))
    assert slugs == [
        "japan-and-south-korea-wary-of-us-foreign-policy-direction",
        "japan-and-south-korea-wary-of-us-foreign-policy-direction-2",
    ]


# --- Options ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_format_and_author_options_set_the_format_and_byline(tmp_path):
    author = AuthorFactory(slug="hana-okabe")
    path = write(tmp_path, "A Title\n\nSome lead text.\n")

    run_import(str(path), "--format", "brief", "--author", "hana-okabe")

    article = Article.objects.get()
    assert article.format.slug == "brief"
    assert list(article.authors.all()) == [author]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("option", "message"),
    [(["--format", "poem"], "Unknown format 'poem'"), (["--author", "nobody"], "'nobody'")],
)
def test_unknown_format_or_author_is_refused_before_anything_is_saved(tmp_path, option, message):
    path = write(tmp_path, "A Title\n\nSome lead text.\n")

    with pytest.raises(CommandError, match=message):
        run_import(str(path), *option)
    assert not Article.objects.exists()


# --- Bad files --------------------------------------------------------------------------------

BAD_FILES = {
    "empty": (b"", "is empty"),
    "only whitespace": (b"  \n\n\t\n", "is empty"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file"),
    "control characters": (b"Title\n\nText\x07 with a bell.\n", "binary file"),
    "latin-1": ("Caf\u00e9 diplomacy\n\nSeoul\u2019s view.\n".encode("latin-1", "replace"),
                "not UTF-8"),
    "no title": (b"----\n\nA paragraph of text.\n", "no title"),
    "empty markdown title": (b"#\n\nA paragraph of text.\n", "no title"),
    "title too long": (("word " * 80).encode() + b"\n\nText.\n", "too long for a title"),
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("case", BAD_FILES.keys())
def test_bad_file_is_refused_with_a_clear_message_and_nothing_changes(tmp_path, case):
    content, message = BAD_FILES[case]
    existing = ArticleFactory(title="Already here")
    SectionFactory(article=existing, heading="Kept", body="Kept text.")
    path = write(tmp_path, content)

    with pytest.raises(CommandError, match=message):
        run_import(str(path))

    assert list(Article.objects.all()) == [existing]
    assert list(existing.sections.values_list("heading", "body")) == [("Kept", "Kept text.")]


def test_not_utf8_message_says_where_the_bad_byte_is(tmp_path):
    path = write(tmp_path, b"Title\n\nFine line.\nCaf\xe9\n")

    with pytest.raises(CommandError, match=r"byte 0xe9 on line 4"):
        run_import(str(path))


def test_missing_file_is_refused_by_name(tmp_path):
    missing = tmp_path / "nowhere.txt"

    with pytest.raises(CommandError, match=r"nowhere\.txt: no such file"):
        run_import(str(missing))


def test_folder_instead_of_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="is a folder"):
        run_import(str(tmp_path))


@pytest.mark.django_db
def test_bad_file_exits_non_zero_with_a_message_and_no_traceback(tmp_path, capsys):
    path = write(tmp_path, b"")

    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["manage.py", "import_article", str(path)])

    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "is empty" in err
    assert "Traceback" not in err


# --- Markdown documents -----------------------------------------------------------------------

MARKDOWN_DOC = """\
# Deterrence on the Peninsula

A lead paragraph with *emphasis*.

## First section

Text of the first section.

A short line without a period

More text, and a list:

- one item
- another item

### A sub-heading

Sub-heading text.

```
# a comment in code, not a heading

Short code line
```

## Second section ##

Closing text.
"""


@pytest.mark.django_db
def test_markdown_file_is_split_at_its_marked_headings_only(tmp_path):
    path = write(tmp_path, MARKDOWN_DOC, name="doc.md")

    run_import(str(path))

    article = Article.objects.get()
    assert article.title == "Deterrence on the Peninsula"
    assert article.lead == "A lead paragraph with *emphasis*."
    first, second = article.sections.order_by("position")
    assert (first.heading, second.heading) == ("First section", "Second section")
    assert "A short line without a period" in first.body
    assert "<h3>A sub-heading</h3>" in first.body_html
    assert "# a comment in code, not a heading" in first.body
    assert "<li>another item</li>" in first.body_html
    assert second.body == "Closing text."


def test_markdown_sections_may_be_first_level_headings_with_second_level_subheadings():
    document = parse("Title\n=====\n\nLead.\n\n# One\n\nText.\n\n# Two\n\nMore.\n")

    assert document.title == "Title"
    assert [s.heading for s in document.sections] == ["One", "Two"]


def test_markdown_deeper_headings_become_subheadings_of_third_level():
    document = parse("# Title\n\n### Part\n\nText.\n\n#### Detail\n\nMore.\n")

    assert [s.heading for s in document.sections] == ["Part"]
    assert "### Detail" in document.sections[0].body


def test_front_matter_is_skipped_and_its_title_used():
    document = parse(
        '---\ntitle: "From the Metadata"\ndate: 2025-01-01\n---\nLead.\n\n## One\n\nA.\n'
    )

    assert document.title == "From the Metadata"
    assert document.lead == "Lead."
    assert [s.heading for s in document.sections] == ["One"]


def test_front_matter_without_a_title_leaves_the_first_line_as_title():
    document = parse("+++\nslug = 'x'\n+++\n# Real Title\n\nLead.\n")

    assert (document.title, document.lead) == ("Real Title", "Lead.")


@pytest.mark.django_db
def test_a_demo_article_file_imports_with_the_same_title_and_sections_as_the_loader_reads():
    from apps.articles.demo.loader import ARTICLES_DIR, read_article

    path = ARTICLES_DIR / "the-hedging-ledger.md"
    demo = read_article(path)

    run_import(str(path))

    article = Article.objects.get()
    assert article.title == demo.title
    assert article.lead == demo.lead
    assert list(article.sections.values_list("heading", flat=True)) == [
        s.heading for s in demo.sections
    ]


def test_setext_underlined_headings_start_sections():
    document = parse("Title\n\nLead.\n\nFirst part\n----------\n\nText one.\n")

    assert [s.heading for s in document.sections] == ["First part"]
    assert document.lead == "Lead."


# --- Plain-text heuristics --------------------------------------------------------------------


def test_plain_text_heading_is_a_short_line_standing_alone_without_a_final_period():
    document = parse(
        "The Title\n\nLead text.\n\nWhy Seoul Hedges?\n\nBody one.\n\n"
        "This short line ends with a period.\n\nBody two.\n"
    )

    assert document.lead == "Lead text."
    assert [s.heading for s in document.sections] == ["Why Seoul Hedges?"]
    assert "This short line ends with a period." in document.sections[0].body


def test_hard_wrapped_paragraphs_and_windows_line_endings_are_read_as_prose():
    document = parse(
        "The Title\r\n\r\nA paragraph wrapped\r\nover short lines\r\nwithout periods\r\n\r\n"
        "Section Heading\r\n\r\nBody text\r\nalso wrapped.\r\n"
    )

    assert document.lead == "A paragraph wrapped\nover short lines\nwithout periods"
    assert [s.heading for s in document.sections] == ["Section Heading"]


def test_bylines_dates_and_list_items_are_not_headings():
    document = parse(
        "The Title\n\nBy Jane Doe\n\nMarch 3, 2025\n\nLead text.\n\n- a bullet line\n\n"
        "1. a numbered line\n\nBy the Numbers\n\nCounting text.\n"
    )

    assert [s.heading for s in document.sections] == ["By the Numbers"]
    assert "By Jane Doe" in document.lead
    assert "March 3, 2025" in document.lead


def test_numbered_plain_text_headings_start_sections():
    document = parse(
        "A Report\n\nSummary text.\n\n1. Background\n\nHistory.\n\n"
        "2.1 Current Posture\n\nToday.\n\nIV. Options for Tokyo\n\nChoices.\n"
    )

    assert [s.heading for s in document.sections] == [
        "1. Background",
        "2.1 Current Posture",
        "IV. Options for Tokyo",
    ]


def test_short_lines_after_a_colon_or_in_a_run_are_a_list_not_headings():
    document = parse(
        "The Title\n\nThe options are:\n\nDenial\n\nPunishment\n\nEach has costs.\n\n"
        "Next Steps\n\nText.\n\n"
        "Alpha\n\nBeta\n\nGamma\n\nEnd of text.\n"
    )

    assert [s.heading for s in document.sections] == ["Next Steps"]


def test_a_short_last_line_is_a_sign_off_not_a_heading():
    document = parse("The Title\n\nLead.\n\nPart One\n\nText.\n\nWith thanks to the reviewers\n")

    assert [s.heading for s in document.sections] == ["Part One"]
    assert document.sections[0].body.endswith("With thanks to the reviewers")


def test_reported_speech_and_two_sentences_are_not_headings():
    document = parse(
        "The Title\n\nLead.\n\n\u201cWe stay,\u201d the minister said\n\n"
        "It rained in Seoul. Talks went on\n\nText.\n"
    )

    assert document.sections == []


def test_byte_order_mark_is_not_part_of_the_title(tmp_path):
    from apps.articles.importer import read_text

    path = write(tmp_path, "\ufeffThe Title\n\nText.\n".encode())

    assert parse(read_text(path)).title == "The Title"


def test_overlong_marked_heading_is_refused_with_its_line_number():
    with pytest.raises(ImportFileError, match="heading on line 5"):
        parse("# Title\n\nLead.\n\n## " + "long " * 50 + "\n\nText.\n")
