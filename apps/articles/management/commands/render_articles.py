"""Render and store the pages and cards of published articles (apps/articles/rendering.py).

Readers render a missing or stale page themselves, so nothing breaks without this command;
run it after a deploy that changes templates, or after loading articles in bulk, so that no
reader waits for a render:

    python manage.py render_articles              # only renders that are missing or stale
    python manage.py render_articles --all        # every published article
    python manage.py render_articles --shard 0/2  # half of them (run 1/2 beside it)
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import reset_queries
from django.db.models import F

from apps.articles.models import Article
from apps.articles.rendering import key_for, store_renders

CHUNK = 2000


class Command(BaseCommand):
    help = "Render and store the pages and cards of published articles."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="render fresh renders again too")
        parser.add_argument(
            "--shard", default="0/1", help="K/N: only articles whose id is K modulo N"
        )

    def handle(self, *args, all: bool = False, shard: str = "0/1", **options):
        try:
            k, n = (int(part) for part in shard.split("/"))
            if not 0 <= k < n:
                raise ValueError
        except ValueError:
            raise CommandError("--shard is K/N with 0 <= K < N, e.g. 0/2") from None
        articles = Article.objects.filter(status=Article.Status.PUBLISHED)
        if n > 1:
            articles = articles.alias(shard=F("pk") % n).filter(shard=k)
        if not all:
            # Stale: no render, or one made under another token or other templates.
            stale_ids = [
                pk
                for pk, token, page_key, card_key in articles.values_list(
                    "pk", "render_token", "render__page_key", "render__card_key"
                )
                if page_key != key_for(token) or card_key != key_for(token)
            ]
            articles = Article.objects.filter(pk__in=stale_ids)
        ids = list(articles.order_by("pk").values_list("pk", flat=True))
        done = 0
        for start in range(0, len(ids), CHUNK):
            done += store_renders(Article.objects.filter(pk__in=ids[start : start + CHUNK]))
            reset_queries()  # with DEBUG on, the query log would grow with the archive
            if options["verbosity"] > 1:
                self.stdout.write(f"{done}/{len(ids)}")
        self.stdout.write(f"Rendered {done} article(s).")
