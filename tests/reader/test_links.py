"""The vocabulary linker and the link-graph reader work on sanitised HTML, token by token."""

from html.parser import HTMLParser

import pytest

from apps.articles.links import Term, link_terms, linked_article_slugs
from apps.articles.markdown import render

TERMS = [
    Term("Japan", "/regions/japan/"),
    Term("South Korea", "/regions/south-korea/"),
    Term("Korea", "/regions/korea/"),
    Term("Trade", "/themes/trade/"),
]


class _Balance(HTMLParser):
    VOID = {"br", "hr", "img"}

    def __init__(self):
        super().__init__()
        self.stack = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack}"
        self.stack.pop()


def assert_balanced(html: str) -> None:
    checker = _Balance()
    checker.feed(html)
    checker.close()
    assert checker.stack == []


def test_first_mention_of_each_term_is_linked_once():
    html = link_terms(render("Japan and Japan again; trade and Trade."), TERMS)
    assert html.count('href="/regions/japan/"') == 1
    assert html.count('href="/themes/trade/"') == 1
    assert '<a class="term-link" href="/regions/japan/">Japan</a> and Japan again' in html
    assert '<a class="term-link" href="/themes/trade/">trade</a>' in html


def test_longer_names_win_over_shorter_ones():
    html = link_terms(render("South Korea first."), TERMS)
    assert '<a class="term-link" href="/regions/south-korea/">South Korea</a>' in html
    assert "/regions/korea/" not in html


def test_whole_words_only():
    html = link_terms(render("Japanese trades and Japan-watchers."), TERMS)
    assert "term-link" not in html


def test_text_inside_links_code_and_headings_is_left_alone():
    source = "[Japan](https://example.org/) and `Japan` in code.\n\n### Japan\n\nJapan here."
    html = link_terms(render(source), TERMS)
    assert html.count("term-link") == 1
    assert '<p><a class="term-link" href="/regions/japan/">Japan</a> here.</p>' in html
    assert_balanced(html)


@pytest.mark.parametrize(
    "source",
    [
        "Japan <b>and **Trade** in</b> a <em>Korea</em> table\n\n"
        "| Japan | Trade |\n|---|---|\n| x | y |",
        "A footnote on Japan.[^1]\n\n[^1]: Trade & Japan <script>alert(1)</script>",
        "Escaped &lt;Japan&gt; &amp; Trade &#x27;quoted&#x27;",
        "> Japan in a quote with a [link to Trade](/themes/trade/)",
    ],
)
def test_linking_never_breaks_markup_nor_unescapes_text(source):
    html = link_terms(render(source), TERMS)
    assert_balanced(html)
    assert "<script" not in html
    assert "<Japan>" not in html


def test_no_terms_or_empty_html_return_input_unchanged():
    html = render("Japan")
    assert link_terms(html, []) == html
    assert link_terms("", TERMS) == ""


def test_linked_article_slugs_reads_relative_and_own_absolute_links(settings):
    settings.SITE_URL = "https://meridian.example"
    html = render(
        "[a](/articles/one/) [b](/articles/two/#the-north-korea-factor) "
        "[c](https://meridian.example/articles/three/) [d](https://elsewhere.example/articles/x/) "
        "[e](/regions/japan/) [f](mailto:someone@example.org)"
    )
    assert linked_article_slugs(html, "") == {"one", "two", "three"}
