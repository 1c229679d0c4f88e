"""What an article page shows after the article, written as HTML here: "Referenced by",
"Related analysis" and the "More on" rails (`nearby.nearby` merges them on every uncached
page). Through the template engine these ~20 teasers were two thirds of the page's template
time; every text and URL is escaped here (`escape`), as `coverage.matrix` writes its table.
"""

from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from .reader import Teaser

DEK_WORDS = 30  # as `truncatewords:30`


def _time(item: Teaser, text: str) -> str:
    return f'<time datetime="{escape(item.machine_date)}">{escape(text)}</time>'


def _link(item: Teaser) -> str:
    return f'<a href="{escape(item.url)}">{escape(item.title)}</a>'


def _referenced_by(citing: list[Teaser]) -> str:
    items = "".join(
        f'\n      <li>{_link(item)} <span class="link-list__meta">'
        f"{escape(item.format_name)}, {_time(item, item.short_date)}</span></li>"
        for item in citing
    )
    return (
        '\n  <section class="referenced-by" aria-labelledby="referenced-heading">'
        '\n    <h2 id="referenced-heading">Referenced by</h2>'
        f'\n    <ul class="link-list">{items}\n    </ul>\n  </section>\n'
    )


def _related(related: list[Teaser]) -> str:
    items = []
    for item in related:
        dek = ""
        if item.dek:
            words = Truncator(item.dek).words(DEK_WORDS, truncate=" …")
            dek = f'\n        <p class="card__dek">{escape(words)}</p>'
        items.append(
            '\n      <li class="related__item">'
            f'\n        <p class="card__meta"><span class="kicker">{escape(item.format_name)}'
            f"</span> {_time(item, item.long_date)}</p>"
            f'\n        <h3 class="card__title">{_link(item)}</h3>{dek}'
            "\n      </li>"
        )
    return (
        '\n  <section class="related" aria-labelledby="related-heading">'
        '\n    <h2 class="section-heading" id="related-heading">Related analysis</h2>'
        f'\n    <ul class="related__list">{"".join(items)}\n    </ul>\n  </section>\n'
    )


def _rail(kind: str, term: dict, rows: list[Teaser]) -> str:
    items = "".join(f"\n        <li>{_link(row)} {_time(row, row.short_date)}</li>" for row in rows)
    return (
        f'\n    <section class="rail" aria-labelledby="rail-{kind}-heading">'
        f'\n      <h2 class="rail__heading" id="rail-{kind}-heading">More on '
        f'<a href="{escape(term["url"])}">{escape(term["name"])}</a></h2>'
        f'\n      <ul class="link-list">{items}\n      </ul>\n    </section>'
    )


def after_article(
    rail_region: dict | None,
    rail_theme: dict | None,
    related: list[Teaser],
    rails: dict[str, list[Teaser]],
    referenced_by: list[Teaser],
) -> SafeString:
    """The block after the article. `rail_region` and `rail_theme` are the stored page's
    primary terms (`{"name", "url"}`); the lists are `nearby.nearby`'s."""
    parts = ['<div class="after-article">']
    if referenced_by:
        parts.append(_referenced_by(referenced_by))
    if related:
        parts.append(_related(related))
    parts.append('\n  <div class="rails">')
    if rail_region and rails["region"]:
        parts.append(_rail("region", rail_region, rails["region"]))
    if rail_theme and rails["theme"]:
        parts.append(_rail("theme", rail_theme, rails["theme"]))
    parts.append("\n  </div>\n</div>")
    # Every text and URL above went through `escape`.
    return mark_safe("".join(parts))
