"""A synthetic corpus with the shape of a real think-tank archive, built fast for the benchmark.

    python -m bench.corpus --n 20000 --database-url postgres://…/meridian_bench_20k

Articles have 3-8 sections of Zipf-distributed, policy-flavoured text (common terms such as
"policy", "security" and "alliance" are in nearly every article; a long tail of rarer words; names
that occur in only a handful of articles), 3-20 tags out of ~500, 1-3 regions out of ~15, 1-2
themes out of ~10, bylines from ~200 authors, publish times spread over ten years, and 5 % drafts
or scheduled pieces.

Rows go in with COPY, not through `save()`: every concrete column the generator does not set gets
the model field's default, so a new field with a default needs no change here. Derived data is
produced in bulk the way the save path would: `body_html` is built directly (the text is plain
paragraphs and one kind of link, which the renderer turns into exactly this HTML; a test checks
it), the link graph is inserted with the links, and the search vectors are computed by the search
app's own SQL, in batches, while the next batch is being generated.

The build empties the article tables first. It refuses a database whose name lacks "bench", or one
that holds articles it did not build, unless told `--force`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from html import escape

CORPUS_VERSION = 3
RENDER_PROCESSES = 2
BENCH_SITE_URL = "https://meridian.bench.localhost"
META_TABLE = "bench_corpus"
CHUNK = 2000
REFRESH_BATCH = 250


def _words(text: str) -> list[str]:
    return text.split()


# Ranked by frequency: the head of the Zipf distribution. Real words, so that stemming and the
# `english` configuration behave as on real text.
CORE_WORDS = _words("""
policy security alliance government regional economic strategy defence trade cooperation
military minister agreement relations deterrence sanctions diplomacy nuclear
maritime treaty summit partners market supply energy investment growth tariffs export
industrial technology semiconductor chips climate development infrastructure budget
parliament election coalition opposition reform domestic public pressure interests
influence power rivalry competition balance hedging stability crisis escalation dialogue
negotiation leverage commitment credibility capability readiness forces navy missile
missiles exercises bases troops command intelligence cyber space satellite shipping
straits waters islands territory sovereignty border claims dispute court ruling law
framework institution multilateral bilateral trilateral forum ministers leaders officials
envoy embassy visit talks statement communique declaration pledge plan programme
initiative funding loans aid assistance debt currency inflation interest rates exports
imports manufacturing jobs workers labour migration population ageing demographic
health pandemic vaccine food grain fertiliser oil gas coal renewables hydrogen
reactor grid transition emissions carbon pricing finance banks capital markets
investors firms companies industry subsidies standards regulation screening controls
licences entities list restrictions enforcement compliance evasion smuggling networks
data privacy platforms artificial quantum research universities talent
students visas tourism culture media information disinformation narrative opinion
polls survey voters campaign party president premier cabinet ministry agency council
committee hearing report review assessment scenario risk uncertainty contingency
deterrent posture doctrine guidance white paper appropriations
procurement acquisition base shipbuilding munitions stockpile logistics
resilience redundancy diversification decoupling derisking reshoring friendshoring
""")

STOPWORDS = _words("""
the of and to in a that is for on with as by its will be has from are this which their
have it at an or not but was were been more than into over between while also
""")

FIRST_NAMES = _words("""
Akiko Hana Yuna Min-jun Ji-woo Seo-yeon Haruto Ren Sora Daniel Sarah Michael Emily James
Olivia Wei Li Mei Arjun Priya Ananya Rahul Fatima Omar Leila Nikolai Irina Pierre Claire
Jonas Elena Marco Sofia Lucas Ana Tomas Eva Kwame Amara Noah Grace
""")
LAST_NAMES = _words("""
Tanaka Suzuki Kim Park Lee Choi Yamamoto Watanabe Smith Johnson Brown Chen Wang Zhang
Singh Sharma Patel Haddad Rahman Ivanova Petrov Martin Dubois Schmidt Rossi Garcia Silva
Novak Mensah Okafor Nguyen Tran Ito Kato Jung Kang Cho Walker Hughes Reid
""")
ROLES = [
    "Senior Fellow",
    "Fellow",
    "Research Associate",
    "Director, Asia Programme",
    "Visiting Scholar",
    "Non-resident Fellow",
]

# Regions and themes beyond the ones the migrations seed: ~15 regions, ~10 themes in all.
REGIONS = [
    ("east-asia", "East Asia", "", None),
    ("japan", "Japan", "JP", "east-asia"),
    ("south-korea", "South Korea", "KR", "east-asia"),
    ("north-korea", "North Korea", "KP", "east-asia"),
    ("china", "China", "CN", "east-asia"),
    ("taiwan", "Taiwan", "TW", "east-asia"),
    ("southeast-asia", "Southeast Asia", "", None),
    ("vietnam", "Vietnam", "VN", "southeast-asia"),
    ("philippines", "Philippines", "PH", "southeast-asia"),
    ("indonesia", "Indonesia", "ID", "southeast-asia"),
    ("south-asia", "South Asia", "", None),
    ("india", "India", "IN", "south-asia"),
    ("australia", "Australia", "AU", None),
    ("europe", "Europe", "", None),
    ("united-states", "United States", "US", None),
]
THEMES = [
    ("security", "Security"),
    ("trade", "Trade"),
    ("hedging", "Hedging"),
    ("technology", "Technology"),
    ("energy", "Energy"),
    ("climate", "Climate"),
    ("nuclear", "Nuclear"),
    ("diplomacy", "Diplomacy"),
    ("development", "Development"),
    ("demography", "Demography"),
]


class CorpusError(Exception):
    pass


# --- Text ---------------------------------------------------------------------------------------


def synthetic_words(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    """Pronounceable made-up words for the long tail of the vocabulary."""
    onsets = _words("b c d f g h k l m n p r s t v z br tr st pl gr kr")
    vowels = _words("a e i o u ia eo ou")
    codas = ["", "", "n", "r", "s", "l", "th", "x"]
    words: list[str] = []
    while len(words) < count:
        syllables = rng.choice((2, 2, 3, 3, 4))
        word = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(syllables))
        word += rng.choice(codas)
        if word not in taken:
            taken.add(word)
            words.append(word)
    return words


def zipf_cum_weights(count: int, s: float = 1.0) -> list[float]:
    return list(itertools.accumulate(1 / (rank**s) for rank in range(1, count + 1)))


@dataclass
class Vocabulary:
    words: list[str]
    names: list[str]
    sentences: list[str]
    terms: dict[str, list[str]] = field(default_factory=dict)


def build_vocabulary(rng: random.Random, n: int, tail_words: int = 12000) -> Vocabulary:
    core = list(dict.fromkeys(CORE_WORDS))
    taken = set(core) | set(STOPWORDS)
    words = core + synthetic_words(rng, tail_words, taken)
    # Names are the rare terms: about five articles each, whatever the corpus size.
    names = [w.capitalize() for w in synthetic_words(rng, max(500, n // 5), taken)]
    cum = zipf_cum_weights(len(words), s=1.0)

    pool_size = min(max(20000, n * 2), 250000)
    lengths = [rng.randint(8, 24) for _ in range(pool_size)]
    tokens = rng.choices(words, cum_weights=cum, k=sum(lengths))
    stops = rng.choices(STOPWORDS, k=len(tokens))
    is_stop = [rng.random() < 0.35 for _ in range(len(tokens))]
    sentences = []
    pos = 0
    for length in lengths:
        parts = [stops[i] if is_stop[i] else tokens[i] for i in range(pos, pos + length)]
        pos += length
        sentences.append(parts[0].capitalize() + " " + " ".join(parts[1:]) + ".")

    tail = words[len(core) :]
    terms = {
        "common": [
            *core[:12],
            "security alliance",
            "trade policy",
            "nuclear deterrence",
        ],
        # Ranks ~1,000-3,000 of the Zipf tail: in roughly 1-5 % of articles.
        "medium": rng.sample(tail[1000:3000], 15),
    }
    return Vocabulary(words=words, names=names, sentences=sentences, terms=terms)


def paragraph_html(text: str) -> str:
    return f"<p>{escape(text, quote=False)}</p>\n"


def link_markdown(label: str, slug: str) -> tuple[str, str]:
    """A link to another article, as Markdown and as the renderer's sanitised HTML."""
    url = f"/articles/{slug}/"
    return f"[{label}]({url})", f'<a href="{url}" rel="noopener">{escape(label)}</a>'


# --- Database -----------------------------------------------------------------------------------


def setup_django(database_url: str | None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def database_name() -> str:
    from django.db import connection

    return connection.settings_dict["NAME"]


def check_target(force: bool) -> None:
    """Refuse to empty a database that may hold real content."""
    from django.db import connection

    name = database_name()
    if force:
        return
    if "bench" not in name.lower():
        raise CorpusError(
            f"refusing to build a corpus in {name!r}: it empties the article tables. "
            "Use a database whose name contains 'bench', or pass --force."
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [META_TABLE])
        built_here = cursor.fetchone()[0]
        cursor.execute("SELECT EXISTS (SELECT 1 FROM articles_article)")
        has_articles = cursor.fetchone()[0]
    if has_articles and not built_here:
        raise CorpusError(
            f"refusing to build a corpus in {name!r}: it holds articles the benchmark did not "
            "create. Pass --force if it really is disposable."
        )


def corpus_info() -> dict | None:
    """What `bench_corpus` says was built here (n, seed, version, terms), or None."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [META_TABLE])
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(f"SELECT info FROM {META_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    if row is None:
        return None
    return row[0] if isinstance(row[0], dict) else json.loads(row[0])


class Copier:
    """COPY rows into a model's table; columns the caller does not give get field defaults."""

    def __init__(self, model, attnames: Sequence[str]) -> None:
        from django.db import connection
        from django.db.models import NOT_PROVIDED
        from django.utils import timezone

        meta = model._meta
        by_attname = {f.attname: f for f in meta.concrete_fields}
        unknown = set(attnames) - set(by_attname)
        if unknown:
            raise CorpusError(f"{meta.label} has no column(s) {sorted(unknown)}")
        columns = [by_attname[a].column for a in attnames]
        self.extra: tuple = ()
        now = timezone.now()
        extra = []
        for f in meta.concrete_fields:
            if f.attname in attnames or f.primary_key or getattr(f, "generated", False):
                continue
            if f.db_default is not NOT_PROVIDED:
                continue
            if f.has_default():
                value = f.get_default()
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.null:
                value = None
            elif f.empty_strings_allowed and f.blank:
                value = ""
            else:
                raise CorpusError(
                    f"{meta.label}.{f.name} is required and has no default: "
                    "bench/corpus.py must learn to fill it"
                )
            columns.append(f.column)
            extra.append(f.get_db_prep_save(value, connection))
        self.extra = tuple(extra)
        self.table = meta.db_table
        quoted = ", ".join(f'"{c}"' for c in columns)
        self.sql = f'COPY "{self.table}" ({quoted}) FROM STDIN'

    def write(self, rows: Iterable[tuple]) -> int:
        from django.db import connection

        connection.ensure_connection()
        count = 0
        with connection.connection.cursor() as cursor, cursor.copy(self.sql) as copy:
            for row in rows:
                copy.write_row(row + self.extra)
                count += 1
        return count


def migrations_fingerprint(cursor) -> str:
    """Which migrations the schema has: a corpus built under other migrations is rebuilt."""
    import hashlib

    cursor.execute("SELECT app || '.' || name FROM django_migrations ORDER BY 1")
    names = "\n".join(row[0] for row in cursor.fetchall())
    return hashlib.sha256(names.encode()).hexdigest()[:16]


def reset_sequences(models) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


# --- The build ----------------------------------------------------------------------------------


FORMATS = [("analysis", "Analysis"), ("commentary", "Commentary"), ("brief", "Brief")]


def ensure_vocabulary() -> tuple[list, list, list, dict[str, list[str]]]:
    """~15 regions, ~10 themes and the formats: those that exist plus the benchmark's, created
    through the ORM. Returns regions, themes, formats and the slugs it created."""
    from apps.articles.models import Format
    from apps.regions.models import Region, Theme

    created: dict[str, list[str]] = {"regions": [], "themes": [], "formats": []}
    regions = {r.slug: r for r in Region.objects.all()}
    for order, (slug, name, iso, parent) in enumerate(REGIONS, start=1):
        if slug not in regions and not Region.objects.filter(name=name).exists():
            regions[slug] = Region.objects.create(
                slug=slug,
                name=name,
                iso_code=iso,
                parent=regions.get(parent) if parent else None,
                order=order * 10,
                description=f"Coverage of {name}.",
            )
            created["regions"].append(slug)
    themes = {t.slug: t for t in Theme.objects.all()}
    for order, (slug, name) in enumerate(THEMES, start=1):
        if slug not in themes and not Theme.objects.filter(name=name).exists():
            themes[slug] = Theme.objects.create(
                slug=slug, name=name, order=order * 10, description=f"Analysis of {name.lower()}."
            )
            created["themes"].append(slug)
    if not Format.objects.exists():
        for order, (slug, name) in enumerate(FORMATS, start=1):
            Format.objects.create(slug=slug, name=name, order=order * 10)
            created["formats"].append(slug)
    return (
        list(Region.objects.order_by("order", "pk")),
        list(Theme.objects.order_by("order", "pk")),
        list(Format.objects.order_by("order", "pk")),
        created,
    )


def remove(created: dict[str, list[str]]) -> None:
    """Empty the article tables and delete the vocabulary `build()` created (for tests)."""
    from django.db import connection

    from apps.articles.models import Format
    from apps.regions.models import Region, Theme

    empty_tables()
    # Children before their parents: a region protects its children.
    doomed = Region.objects.filter(slug__in=created["regions"])
    doomed.filter(parent__isnull=False).delete()
    doomed.delete()
    Theme.objects.filter(slug__in=created["themes"]).delete()
    Format.objects.filter(slug__in=created["formats"]).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {META_TABLE}")


def empty_tables() -> None:
    from django.db import connection

    from apps.articles.models import Article, Author

    tables = [Article._meta.db_table, Author._meta.db_table, "taggit_tag"]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        cursor.execute(f"DROP TABLE IF EXISTS {META_TABLE}")


def title_case(words: Sequence[str]) -> str:
    small = {"and", "of", "the", "in", "for", "on"}
    return " ".join(w if i and w in small else w.capitalize() for i, w in enumerate(words))


def build(n: int, seed: int = 1, log=print) -> dict:
    """Empty the article tables and fill them with `n` synthetic articles."""
    from django.db import connection
    from django.utils import timezone
    from django.utils.text import slugify
    from taggit.models import Tag

    from apps.articles.models import Article, ArticleLink, Author, Byline, Section

    started = time.monotonic()
    rng = random.Random(seed)
    vocab = build_vocabulary(rng, n)
    log(f"vocabulary: {len(vocab.words)} words, {len(vocab.sentences)} sentences")

    empty_tables()
    regions, themes, formats, vocabulary_created = ensure_vocabulary()

    # Tags: ~500 two-word terms.
    tag_names: list[str] = []
    seen: set[str] = set()
    core = list(dict.fromkeys(CORE_WORDS))
    while len(tag_names) < 500:
        name = f"{rng.choice(core[:120])} {rng.choice(core)}"
        slug = slugify(name)
        if slug not in seen and name.split()[0] != name.split()[1]:
            seen.add(slug)
            tag_names.append(name)
    Copier(Tag, ["id", "name", "slug"]).write(
        (i, name, slugify(name)) for i, name in enumerate(tag_names, start=1)
    )

    author_rows = []
    author_names = set()
    while len(author_rows) < 200:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if name in author_names:
            continue
        author_names.add(name)
        pk = len(author_rows) + 1
        author_rows.append(
            (
                pk,
                name,
                slugify(name),
                rng.choice(ROLES),
                "Meridian Institute",
                f"{name} writes on {rng.choice(core[:60])} and {rng.choice(core[:60])}.",
            )
        )
    Copier(Author, ["id", "name", "slug", "role", "affiliation", "bio"]).write(author_rows)
    reset_sequences([Tag, Author])

    tag_cum = zipf_cum_weights(len(tag_names), s=0.9)
    author_cum = zipf_cum_weights(len(author_rows), s=0.7)
    region_cum = zipf_cum_weights(len(regions), s=0.8)
    theme_cum = zipf_cum_weights(len(themes), s=0.6)
    tag_ids = list(range(1, len(tag_names) + 1))
    author_ids = [r[0] for r in author_rows]

    now = timezone.now()
    ten_years = timedelta(days=3652).total_seconds()
    statuses = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.025:
            statuses.append(rng.choice(("draft", "draft", "review")))
        elif roll < 0.05:
            statuses.append("scheduled")
        else:
            statuses.append("published")
    titles = []
    slugs = []
    for pk in range(1, n + 1):
        words = rng.sample(core[:150], rng.randint(3, 6))
        region = regions[rng.randrange(len(regions))].name
        title = title_case(words) + rng.choice(("", f" in {region}", f": {region}'s Choice"))
        titles.append(title)
        slugs.append(f"{slugify(title)[:70].strip('-')}-{pk}")

    article_cols = [
        "id", "title", "slug", "dek", "lead", "lead_html", "takeaways", "format_id", "status",
        "publish_at", "first_published_at", "last_updated_at", "featured", "reading_time",
        "created_at", "modified_at",
    ]  # fmt: skip
    copiers = {
        "article": Copier(Article, article_cols),
        "section": Copier(
            Section, ["id", "article_id", "position", "heading", "anchor", "body", "body_html"]
        ),
        "byline": Copier(Byline, ["article_id", "author_id", "position"]),
        "region": Copier(Article.regions.through, ["article_id", "region_id"]),
        "theme": Copier(Article.themes.through, ["article_id", "theme_id"]),
        "tag": Copier(Article.tags.through, ["content_object_id", "tag_id", "publish_at"]),
        "section_region": Copier(Section.regions.through, ["section_id", "region_id"]),
        "section_theme": Copier(Section.themes.through, ["section_id", "theme_id"]),
        "link": Copier(ArticleLink, ["source_id", "target_id"]),
    }

    refresh = search_refresher()
    pending: list[Future] = []
    counts = dict.fromkeys(copiers, 0)
    section_pk = 0
    used_names: set[str] = set()
    sentences = vocab.sentences
    pool = len(sentences)
    # The vectors cost far more than the rows: two threads compute them (one database backend
    # each) while the main thread generates and copies the next chunk.
    with ThreadPoolExecutor(max_workers=2) as executor:
        for start in range(1, n + 1, CHUNK):
            stop = min(start + CHUNK, n + 1)
            rows: dict[str, list[tuple]] = {key: [] for key in copiers}
            for pk in range(start, stop):
                status = statuses[pk - 1]
                created = now - timedelta(seconds=rng.random() * ten_years)
                publish_at = first = updated = None
                if status == "published":
                    publish_at = first = created + timedelta(hours=rng.randint(1, 72))
                    if publish_at > now:
                        publish_at = first = now - timedelta(minutes=rng.randint(5, 600))
                    if rng.random() < 0.1:
                        updated = publish_at + timedelta(days=rng.randint(1, 90))
                        updated = min(updated, now)
                elif status == "scheduled":
                    status = "published"
                    publish_at = first = now + timedelta(days=rng.uniform(1, 60))
                article_regions = sorted(
                    set(
                        rng.choices(
                            range(len(regions)), cum_weights=region_cum, k=rng.randint(1, 3)
                        )
                    )
                )
                article_themes = sorted(
                    set(rng.choices(range(len(themes)), cum_weights=theme_cum, k=rng.randint(1, 2)))
                )
                region_names = [regions[i].name for i in article_regions]
                words = 0
                for position in range(rng.randint(3, 8)):
                    section_pk += 1
                    heading = title_case(rng.sample(core[:200], rng.randint(2, 5)))
                    anchor = f"{slugify(heading)[:50].strip('-')}-{position + 1}"
                    paras_md, paras_html = [], []
                    for _ in range(rng.randint(1, 3)):
                        chosen = [sentences[rng.randrange(pool)] for _ in range(rng.randint(2, 4))]
                        if rng.random() < 0.5:
                            chosen.append(f"The view from {rng.choice(region_names)} matters.")
                        if rng.random() < 0.04:
                            name = rng.choice(vocab.names)
                            used_names.add(name)
                            chosen.append(f"{name} said so.")
                        text = " ".join(chosen)
                        words += len(text.split())
                        paras_md.append(text)
                        paras_html.append(paragraph_html(text))
                    if pk > 50 and position == 0 and rng.random() < 0.08:
                        target = rng.randrange(1, pk)
                        md, html = link_markdown("an earlier analysis", slugs[target - 1])
                        paras_md.append(f"See {md}.")
                        paras_html.append(f"<p>See {html}.</p>\n")
                        rows["link"].append((pk, target))
                    rows["section"].append(
                        (
                            section_pk,
                            pk,
                            position,
                            heading,
                            anchor,
                            "\n\n".join(paras_md),
                            "".join(paras_html),
                        )
                    )
                    if rng.random() < 0.1:
                        rows["section_region"].append(
                            (section_pk, regions[rng.randrange(len(regions))].pk)
                        )
                    if rng.random() < 0.1:
                        rows["section_theme"].append(
                            (section_pk, themes[rng.randrange(len(themes))].pk)
                        )
                lead = lead_html = ""
                if rng.random() < 0.3:
                    lead = " ".join(sentences[rng.randrange(pool)] for _ in range(3))
                    lead_html = paragraph_html(lead)
                    words += len(lead.split())
                takeaways = (
                    [sentences[rng.randrange(pool)] for _ in range(rng.randint(2, 4))]
                    if rng.random() < 0.6
                    else []
                )
                dek = sentences[rng.randrange(pool)]
                rows["article"].append(
                    (
                        pk,
                        titles[pk - 1],
                        slugs[pk - 1],
                        dek,
                        lead,
                        lead_html,
                        takeaways,
                        formats[rng.randrange(len(formats))].pk,
                        status,
                        publish_at,
                        first,
                        updated,
                        status == "published" and rng.random() < 0.005,
                        max(1, round(words / 230)),
                        created,
                        updated or created,
                    )
                )
                people = list(
                    dict.fromkeys(
                        rng.choices(author_ids, cum_weights=author_cum, k=rng.choice((1, 1, 2, 3)))
                    )
                )
                rows["byline"].extend((pk, a, i) for i, a in enumerate(people))
                rows["region"].extend((pk, regions[i].pk) for i in article_regions)
                rows["theme"].extend((pk, themes[i].pk) for i in article_themes)
                chosen_tags = set()
                wanted = rng.randint(3, 20)
                while len(chosen_tags) < wanted:
                    chosen_tags.update(rng.choices(tag_ids, cum_weights=tag_cum, k=wanted))
                rows["tag"].extend((pk, t, publish_at) for t in sorted(chosen_tags)[:wanted])
            for key, copier in copiers.items():
                counts[key] += copier.write(rows[key])
            if refresh is not None:
                for first in range(start, stop, REFRESH_BATCH):
                    pending.append(
                        executor.submit(refresh, first, min(first + REFRESH_BATCH, stop))
                    )
            log(f"{stop - 1}/{n} articles copied  {time.monotonic() - started:.0f} s")
        for done, future in enumerate(pending, start=1):
            future.result()
            if done % 20 == 0 or done == len(pending):
                elapsed = time.monotonic() - started
                log(f"search vectors {done}/{len(pending)} batches {elapsed:.0f} s")

    reset_sequences(
        [
            Article,
            Section,
            Byline,
            ArticleLink,
            Article.regions.through,
            Article.themes.through,
            Article.tags.through,
            Section.regions.through,
            Section.themes.through,
        ]
    )
    # The hubs' derived rows, which the save paths keep for articles saved one by one.
    from apps.regions import elsewhere
    from apps.regions.models import SectionRegionElsewhere, SectionThemeElsewhere

    elsewhere.rebuild_all()
    log(f"sections elsewhere derived  {time.monotonic() - started:.0f} s")
    with connection.cursor() as cursor:
        log("vacuum analyze…")
        for model in (Article, Section, Byline, Article.tags.through, Article.regions.through,
                      Article.themes.through, ArticleLink, Section.regions.through,
                      Section.themes.through, SectionRegionElsewhere,
                      SectionThemeElsewhere):  # fmt: skip
            cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')
    render_stored_pages(log, started)
    # Rare terms: names that made it into a handful of articles.
    vocab.terms["rare"] = rng.sample(sorted(used_names), min(15, len(used_names)))
    seconds = round(time.monotonic() - started, 1)
    info = {
        "n": n,
        "seed": seed,
        "version": CORPUS_VERSION,
        "built_at": now.isoformat(),
        "seconds": seconds,
        "search_vectors": refresh is not None,
        "terms": vocab.terms,
        "rows": counts,
        "created": vocabulary_created,
    }
    with connection.cursor() as cursor:
        info["migrations"] = migrations_fingerprint(cursor)
        cursor.execute(f"CREATE TABLE {META_TABLE} (id int PRIMARY KEY, info jsonb NOT NULL)")
        cursor.execute(f"INSERT INTO {META_TABLE} VALUES (1, %s)", [json.dumps(info)])
    log(f"built {n} articles in {seconds} s: {counts}")
    return info


def render_stored_pages(log, started: float) -> None:
    """Each published article's stored page and card, as its save would have made them
    (`manage.py render_articles`, the operators' command), in parallel processes."""
    import subprocess
    from pathlib import Path
    from urllib.parse import quote, urlsplit

    from django.db import connection

    # The database this build writes to: DATABASE_URL's when it names it (the benchmark, on
    # any server, the embedded one's socket included), else built from the connection's
    # settings (a test's database on the same server).
    db = connection.settings_dict
    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).path.lstrip("/") != db["NAME"]:
        auth = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            auth += ":" + quote(db["PASSWORD"], safe="")
        host = quote(db["HOST"] or "localhost", safe="")  # a socket folder, percent-encoded
        port = f":{db['PORT']}" if db["PORT"] else ""
        url = f"postgres://{auth}@{host}{port}/{quote(db['NAME'], safe='')}"
    # SITE_URL, as the benchmark serves it (bench/run.py): stored pages carry absolute URLs.
    env = {**os.environ, "DATABASE_URL": url, "SITE_URL": BENCH_SITE_URL}
    env.pop("TEST_DATABASE_NAME", None)
    connection.close()
    manage = str(Path(__file__).resolve().parent.parent / "manage.py")
    shards = [f"--shard={k}/{RENDER_PROCESSES}" for k in range(RENDER_PROCESSES)]
    command = [sys.executable, manage, "render_articles", "--all"]
    workers = [subprocess.Popen([*command, shard], env=env) for shard in shards]
    if any(worker.wait() for worker in workers):
        raise CorpusError("render_articles failed")
    log(f"stored pages and cards rendered  {time.monotonic() - started:.0f} s")


def search_refresher():
    """The search app's bulk vector refresh, if the search app provides one (else None)."""
    try:
        from apps.search.vectors import refresh_search_vectors
    except ImportError:
        return None

    def refresh(first: int, stop: int) -> None:
        from django.db import connection

        try:
            refresh_search_vectors(list(range(first, stop)))
        finally:
            connection.close()

    return refresh


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20000, help="number of articles")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument(
        "--force", action="store_true", help="build even where the database name lacks 'bench'"
    )
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("give --database-url (or DATABASE_URL): the corpus needs its own database")
    setup_django(args.database_url)
    try:
        check_target(args.force)
        build(args.n, args.seed, log=lambda msg: print(f"corpus: {msg}", flush=True))
    except CorpusError as error:
        print(f"corpus: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
