import pytest

from apps.search.snippets import highlight

S, E = "\ue000", "\ue001"  # query.MARK_START, query.MARK_END


@pytest.mark.parametrize(
    ("raw", "html"),
    [
        (f"The {S}alliance{E} holds", "The <mark>alliance</mark> holds"),
        (f"{S}a{E} … {S}b{E}", "<mark>a</mark> … <mark>b</mark>"),
        (f"{E}stray end {S}open", "stray end <mark>open</mark>"),
        (f"{S}{S}nested{E}{E}", "<mark>nested</mark>"),
        (f"# Heading {S}x{E}", "Heading <mark>x</mark>"),
        (f"  > quoted\n- item {S}x{E}\n1. one", "quoted item <mark>x</mark> one"),
        (f"**bold** __u__ `code` ~~gone~~ {S}x{E}", "bold u code gone <mark>x</mark>"),
        (f"[link]({S}url{E}) ![img](src) note[^1]", "link img note"),
        (f"<b>tag</b> &amp; <3 {S}<i>{E}", "tag &amp;amp; &lt;3 <mark> </mark>"),
        ("a\u2003\x1c b\t\n c", "a b c"),
    ],
)
def test_snippets_are_plain_escaped_text_with_balanced_marks(raw, html):
    assert highlight(raw) == html
