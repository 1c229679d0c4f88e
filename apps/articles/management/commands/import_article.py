from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from apps.articles.importer import ImportFileError, import_file


class Command(BaseCommand):
    help = (
        "Import a plain-text or Markdown analysis as a draft: the first line is the title, "
        "short heading lines (or # headings) start sections, text before them is the lead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="A UTF-8 plain-text or Markdown file.")
        parser.add_argument(
            "--format",
            dest="format_slug",
            default="analysis",
            help="Slug of the article's format (default: analysis).",
        )
        parser.add_argument(
            "--author", dest="author_slug", help="Slug of an existing author for the byline."
        )

    def handle(self, *args, file: Path, format_slug: str, author_slug: str | None, **options):
        try:
            article = import_file(file, format_slug=format_slug, author_slug=author_slug)
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        sections = article.sections.count()
        admin_url = reverse("admin:articles_article_change", args=[article.pk])
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported “{article.title}” as a draft: "
                f"{'a lead and ' if article.lead else ''}{sections} section"
                f"{'' if sections == 1 else 's'}."
            )
        )
        self.stdout.write(f"Edit it at {settings.SITE_URL}{admin_url}")
