from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import F, OuterRef, Prefetch, Q, Subquery
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItemBase

from apps.media.models import ImageReference
from apps.media.validation import check_image_references
from apps.regions import elsewhere
from apps.regions.models import Region, Theme
from apps.search.vectors import refresh_search_vectors
from config.caching import ContentQuerySet, PublicContent, bump_generation

from . import markdown
from .text import make_slug, unique_slug, word_count

WORDS_PER_MINUTE = 230

# Where an article row last changed: the writing transaction and a sequence number, set by
# every write that moves `render_token` (and by the database on insert). A page that stored
# what it shows of other articles (`apps/articles/nearby.py`) merges in exactly the articles
# changed since: those whose transaction its snapshot did not see, or later writes of its own
# transaction. A sequence alone would miss a write committed after a later-numbered one.
CHANGE_SEQUENCE = "articles_article_change_seq"
CHANGE_XID = RawSQL("pg_current_xact_id()::text::bigint", ())
CHANGE_SEQ = RawSQL(f"nextval('{CHANGE_SEQUENCE}')", ())
EMPTY_IDS = RawSQL("'{}'::bigint[]", ())


class Format(PublicContent):
    """The kind of piece: Analysis, Commentary, Brief… an editable vocabulary."""

    name = models.CharField(max_length=60)
    slug = models.SlugField(max_length=60)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="format_unique_slug"),
            models.UniqueConstraint(fields=["name"], name="format_unique_name"),
            models.CheckConstraint(condition=~Q(slug=""), name="format_slug_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        self.articles.all().invalidate_renders()  # its name and link are on every card

    def get_absolute_url(self) -> str:
        return reverse("articles:format", args=[self.slug])


class Author(PublicContent):
    """A person who appears in bylines."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120)
    role = models.CharField(
        "role or title", max_length=160, blank=True, help_text="e.g. Senior Fellow, Trade Policy"
    )
    affiliation = models.CharField(max_length=160, blank=True)
    bio = models.TextField(blank=True, help_text="A few sentences, shown on the author's page.")
    photo = models.ForeignKey(
        "media.Image",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="author_photos",
        help_text="A portrait from the image library.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="author_unique_slug"),
            models.CheckConstraint(condition=~Q(slug=""), name="author_slug_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        self.articles.all().invalidate_renders()  # bylines, citations, metadata

    def get_absolute_url(self) -> str:
        return reverse("articles:author", args=[self.slug])


class TaggedArticle(TaggedItemBase):
    """Taggit through-model with a real foreign key, so tag joins use indexes."""

    content_object = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="tagged_items", db_index=False
    )  # `taggedarticle_unique_tag` (article, tag) is the index
    # TaggedItemBase's field, less its index: `taggedarticle_tag_newest_idx` starts with it.
    tag = models.ForeignKey(
        Tag, related_name="%(app_label)s_%(class)s_items", on_delete=models.CASCADE, db_index=False
    )
    # The article's publish time, kept by its save path (`sync_tag_dates`), so that a
    # tag's newest articles are an index range (related analysis reads ten per rare tag)
    # instead of a walk of the whole archive's publish order probing for the tag. Ordering
    # only: visibility is always decided on the article row.
    publish_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="taggedarticle_unique_tag"
            ),
        ]
        indexes = [
            models.Index(
                fields=["tag", "-publish_at", "-content_object"],
                name="taggedarticle_tag_newest_idx",
            ),
        ]


def sync_tag_dates(article_ids: list[int]) -> int:
    """Copy each article's publish time onto its tag rows (`TaggedArticle.publish_at`) and
    its sections' rows elsewhere (`apps.regions.elsewhere`). One UPDATE and `sync`'s three
    queries; every path that sets tags or publish times calls it."""
    if not article_ids:
        return 0
    elsewhere.sync(article_ids)
    return TaggedArticle.objects.filter(content_object_id__in=article_ids).update(
        publish_at=Subquery(
            Article.objects.filter(pk=OuterRef("content_object_id")).values("publish_at")[:1]
        )
    )


class ArticleQuerySet(ContentQuerySet):
    def published(self):
        """The only road from public code to articles: published, publish time reached."""
        return self.filter(status=Article.Status.PUBLISHED, publish_at__lte=timezone.now())

    def update(self, **kwargs) -> int:
        # A bulk write (a list action publishing a selection, say) changes what the articles'
        # stored pages show: retire those renders (`apps/articles/rendering.py`), and mark the
        # rows changed for the pages that show them (`CHANGE_XID`).
        kwargs.setdefault("render_token", F("render_token") + 1)
        kwargs.setdefault("change_xid", CHANGE_XID)
        kwargs.setdefault("change_seq", CHANGE_SEQ)
        if "publish_at" not in kwargs:
            return super().update(**kwargs)
        # Read the ids first: the update may change what this queryset's filter selects.
        pks = list(self.values_list("pk", flat=True))
        rows = super().update(**kwargs)
        sync_tag_dates(pks)
        return rows

    update.alters_data = True

    def invalidate_renders(self) -> int:
        """Retire the stored page and card of these articles: something they show changed
        (an author's name, a format, a tag, an image). They are rendered again when next read."""
        return self.update(render_token=F("render_token") + 1)

    invalidate_renders.alters_data = True

    def for_listing(self):
        """What a card in a list shows: format, hero image, bylines, regions, themes."""
        return self.select_related("format", "hero_image").prefetch_related(
            "hero_image__renditions",
            Prefetch("bylines", queryset=Byline.objects.select_related("author")),
            "regions",
            "themes",
        )


class Article(PublicContent):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=200,
        blank=True,
        db_index=False,  # `article_unique_slug` is the index
        help_text="The URL: /articles/article-slug/. Left empty, it is made from the title.",
    )
    dek = models.TextField(
        "dek", max_length=600, blank=True, help_text="The standfirst: one or two sentences."
    )
    lead = models.TextField(
        blank=True, help_text="Optional introduction before the first section (Markdown)."
    )
    lead_html = models.TextField(editable=False, default="")
    takeaways = ArrayField(
        models.CharField(max_length=400),
        default=list,
        blank=True,
        verbose_name="key takeaways",
        help_text="One point per line, in order.",
    )
    format = models.ForeignKey(Format, on_delete=models.PROTECT, related_name="articles")
    authors = models.ManyToManyField(Author, through="Byline", related_name="articles")
    regions = models.ManyToManyField(Region, blank=True, related_name="articles")
    themes = models.ManyToManyField(Theme, blank=True, related_name="articles")
    tags = TaggableManager(blank=True, through=TaggedArticle)
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        "publish time",
        null=True,
        blank=True,
        help_text="Published articles go public at this time; a future time schedules them.",
    )
    first_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_updated_at = models.DateTimeField(
        "updated",
        null=True,
        blank=True,
        help_text="Shown to readers as “Updated” when set after the publish time.",
    )
    featured = models.BooleanField(default=False, help_text="Feature on the home page.")
    hero_image = models.ForeignKey(
        "media.Image",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hero_articles",
        help_text="Shown at the top of the article and on its cards; also its social card.",
    )
    link_vocabulary = models.BooleanField(
        "link region and theme names",
        default=True,
        help_text="Link the first mention of a region or theme in each section to its page.",
    )
    seo_title = models.CharField(
        "SEO title", max_length=200, blank=True, help_text="Overrides the title in search results."
    )
    seo_description = models.CharField(
        "SEO description",
        max_length=300,
        blank=True,
        help_text="Overrides the dek as the page's meta description.",
    )
    reading_time = models.PositiveSmallIntegerField(default=1, editable=False)
    # Derived in refresh_derived() (apps/search/vectors.py): title, dek, takeaways, headings and
    # vocabulary names (the head), then lead and section bodies.
    search_head = SearchVectorField(null=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    # Title words only: the first tier of search candidates (a title match outranks the rest).
    search_title = models.GeneratedField(
        expression=SearchVector("title", config="english") + SearchVector("title", config="simple"),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    # The ids of the article's regions, themes and authors, kept on its row
    # (`apps/search/vectors.py`): search counts its facets from the candidate rows it has
    # already read, where three link tables cost an index probe per candidate each.
    facet_region_ids = ArrayField(
        models.BigIntegerField(), default=list, db_default=EMPTY_IDS, editable=False
    )
    facet_theme_ids = ArrayField(
        models.BigIntegerField(), default=list, db_default=EMPTY_IDS, editable=False
    )
    facet_author_ids = ArrayField(
        models.BigIntegerField(), default=list, db_default=EMPTY_IDS, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="The writer who started the article: Writers may edit only their own drafts.",
    )
    # Optimistic locking: every save increments it; a form based on an older value is stale.
    version = models.PositiveIntegerField(default=1, editable=False)
    # Changes whenever anything the article's stored page or card shows may have changed: every
    # save and bulk update, and edits of the authors, format, tags, vocabulary or images it
    # shows. A stored render is used only while it carries the current token (rendering.py).
    render_token = models.PositiveIntegerField(default=0, editable=False)
    # Set with `render_token`: see `CHANGE_XID`.
    change_xid = models.BigIntegerField(db_default=CHANGE_XID, editable=False)
    change_seq = models.BigIntegerField(db_default=CHANGE_SEQ, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-pk"]
        permissions = [
            ("submit_article", "Can submit articles for review and take them back to draft"),
            ("publish_article", "Can publish, schedule and unpublish articles"),
            ("edit_any_article", "Can edit any article, including others' and published ones"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="article_unique_slug"),
            models.CheckConstraint(condition=~Q(slug=""), name="article_slug_not_empty"),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(publish_at__isnull=False),
                name="article_published_has_publish_time",
            ),
        ]
        indexes = [
            models.Index(
                fields=["-publish_at", "-id"],
                name="article_published_order_idx",
                condition=Q(status="published"),
            ),
            models.Index(fields=["status", "publish_at"], name="article_status_publish_idx"),
            # The admin's change list (every status, newest first): fifty rows read from an
            # index instead of sorting the archive (110 ms at 100k).
            models.Index(fields=["-publish_at", "-id"], name="article_admin_order_idx"),
            # The rows changed since a page stored what it shows of others (`CHANGE_XID`).
            models.Index(fields=["change_xid"], name="article_change_xid_idx"),
            GinIndex(fields=["search_head"], name="article_search_head_idx"),
            GinIndex(fields=["search_vector"], name="article_search_vector_idx"),
            GinIndex(fields=["search_title"], name="article_search_title_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        if not adding:
            self.version += 1
            # Incremented in the database: an instance read before a bulk invalidation must
            # not write back a token that a render of older content was stored under.
            self.render_token = F("render_token") + 1
            self.change_xid, self.change_seq = CHANGE_XID, CHANGE_SEQ
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {
                    *kwargs["update_fields"],
                    *("version", "render_token", "change_xid", "change_seq"),
                }
        if not self.slug:
            self.slug = self.unique_slug_for(self.title)
        self.lead_html = markdown.render(self.lead, doc_id="lead")
        if self.status == self.Status.PUBLISHED:
            if self.publish_at is None:
                self.publish_at = timezone.now()
            if self.first_published_at is None:
                self.first_published_at = self.publish_at
        super().save(*args, **kwargs)
        if not adding:
            self.refresh_from_db(fields=["render_token", "change_xid", "change_seq"])
            sync_tag_dates([self.pk])

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", args=[self.slug])

    @classmethod
    def unique_slug_for(cls, title: str, exclude_pk: int | None = None) -> str:
        """A free slug made from `title` (costs a query per candidate)."""
        others = cls.objects.exclude(pk=exclude_pk) if exclude_pk else cls.objects.all()
        base = make_slug(title, max_length=80) or "article"
        return unique_slug(base, lambda s: others.filter(slug=s).exists())

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )

    @property
    def was_updated(self) -> bool:
        return bool(
            self.last_updated_at and self.publish_at and self.last_updated_at > self.publish_at
        )

    def refresh_derived(self) -> None:
        """Recompute what is derived from the sections as a whole: reading time, link graph.

        Every save path calls it once the sections are saved (admin, import, demo loader),
        because the admin saves the article before its inlines. Costs a handful of queries,
        one of them the UPDATE that recomputes the search vectors.
        """
        # article_id too: the related manager reads it on every row, a query each if deferred.
        sections = list(self.sections.only("article_id", "heading", "body", "body_html"))
        self.refresh_links(sections)
        refresh_search_vectors([self.pk])
        words = word_count(
            self.title,
            self.dek,
            self.lead,
            *self.takeaways,
            *(s.heading for s in sections),
            *(s.body for s in sections),
        )
        self.reading_time = max(1, round(words / WORDS_PER_MINUTE))
        # Inlines (sections, bylines, tags) were saved after the article: its stored page and
        # card are rendered again (the update retires the old ones), and cached pages refresh.
        Article.objects.filter(pk=self.pk).update(reading_time=self.reading_time)
        sync_tag_dates([self.pk])  # tags were set after the article was saved
        from .rendering import store_renders

        store_renders(Article.objects.filter(pk=self.pk))
        bump_generation()

    def refresh_links(self, sections: list["Section"]) -> None:
        """Record which articles this one links to (`/articles/<slug>/` in lead or sections).

        Targets of any status are recorded; readers only ever see links between published
        articles ("Referenced by" filters through `published()`). Costs up to three queries.
        """
        from .links import linked_article_slugs

        slugs = linked_article_slugs(self.lead_html, *(s.body_html for s in sections))
        slugs.discard(self.slug)
        target_ids = set(Article.objects.filter(slug__in=slugs).values_list("pk", flat=True))
        current = set(self.links_out.values_list("target_id", flat=True))
        if stale := current - target_ids:
            self.links_out.filter(target_id__in=stale).delete()
        if new := target_ids - current:
            ArticleLink.objects.bulk_create(
                [ArticleLink(source=self, target_id=pk) for pk in sorted(new)],
                ignore_conflicts=True,
            )


class ArticleLink(models.Model):
    """One article linking to another in its text: the graph behind "Referenced by"."""

    source = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="links_in")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="articlelink_unique_pair"),
            models.CheckConstraint(
                condition=~Q(source=models.F("target")), name="articlelink_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id}"


class ArticleRender(models.Model):
    """An article's page and card as rendered HTML: derived data, like `body_html`.

    Written when a published article is saved (`refresh_derived`) and whenever a reader finds
    it missing or stale (`rendering.py`). A render is used only while its key matches the
    article's `render_token` and the current templates, so a stale one is never served.
    """

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="render"
    )
    page_key = models.CharField(max_length=64, blank=True)
    head_html = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    page_data = models.JSONField(default=dict)
    # What the page showed of other articles when it was stored, and the snapshot it was read
    # in (`apps/articles/nearby.py`); empty until then.
    nearby = models.JSONField(default=dict)
    card_key = models.CharField(max_length=64, blank=True)
    card_html = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"render of article {self.article_id}"


class Byline(PublicContent):
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="bylines", db_index=False
    )  # `byline_unique_author` (article, author) is the index
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="byline_unique_author"),
        ]

    def __str__(self) -> str:
        return str(self.author)


class Section(PublicContent):
    """One part of an article's body: a heading, a stable anchor and Markdown text."""

    # No index of its own: `section_article_position_idx` and `section_unique_anchor` both
    # start with the article, and serve every lookup of an article's sections.
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="sections", db_index=False
    )
    position = models.PositiveSmallIntegerField(default=0)
    heading = models.CharField(max_length=200)
    anchor = models.SlugField(
        max_length=60,
        blank=True,
        db_index=False,  # looked up only within its article: `section_unique_anchor`
        help_text="The section's link: /articles/article-slug/#anchor. Made from the heading when "
        "empty; kept when the heading changes so that links stay valid.",
    )
    body = models.TextField(blank=True, help_text="Markdown: tables and footnotes allowed.")
    body_html = models.TextField(editable=False, default="")
    search_vector = SearchVectorField(null=True, editable=False)
    regions = models.ManyToManyField(
        Region,
        blank=True,
        related_name="sections",
        help_text="Regions this section is about, when they differ from the article's.",
    )
    themes = models.ManyToManyField(
        Theme,
        blank=True,
        related_name="sections",
        help_text="Themes this section covers, e.g. a trade section in a security piece.",
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "anchor"],
                name="section_unique_anchor",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(condition=~Q(anchor=""), name="section_anchor_not_empty"),
        ]
        indexes = [
            models.Index(fields=["article", "position"], name="section_article_position_idx"),
        ]

    def __str__(self) -> str:
        return self.heading

    def save(self, *args, **kwargs) -> None:
        if not self.anchor:
            self.anchor = self.derive_anchor()
        self.body_html = markdown.render(self.body, doc_id=self.anchor)
        super().save(*args, **kwargs)
        # Library images placed inline (`![alt](image:42)`): recorded so they cannot be deleted.
        ImageReference.objects.record(self)

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#{self.anchor}"

    def clean(self) -> None:
        if not self.anchor:
            self.anchor = self.derive_anchor()
        check_image_references(self.body)

    def derive_anchor(self, taken: set[str] | None = None) -> str:
        """An anchor made from the heading, free among the article's other sections.

        Costs a query unless `taken` (the anchors already in use) is given.
        """
        if taken is None:
            taken = set()
            if self.article_id:
                taken = set(
                    Section.objects.filter(article_id=self.article_id)
                    .exclude(pk=self.pk)
                    .values_list("anchor", flat=True)
                )
        base = make_slug(self.heading, max_length=60) or "section"
        return unique_slug(base, taken.__contains__, max_length=60)
