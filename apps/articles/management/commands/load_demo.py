from django.core.management.base import BaseCommand, CommandError

from apps.articles.demo.loader import DemoContentError, load
from apps.media.demo import load_demo_images


class Command(BaseCommand):
    help = (
        "Create or update the demo articles, authors and vocabulary. Idempotent: a second run "
        "changes nothing."
    )

    def handle(self, *args, **options) -> None:
        try:
            result = load()
        except DemoContentError as error:
            raise CommandError(f"Demo content is broken: {error}") from None
        images = load_demo_images()
        total = len(result.created) + len(result.updated) + len(result.unchanged)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content: {total} articles ({result.published} published, "
                f"{result.scheduled} scheduled, {result.drafts} draft) — "
                f"{len(result.created)} created, {len(result.updated)} updated, "
                f"{len(result.unchanged)} unchanged."
            )
        )
        if result.authors_written or result.vocabulary_written:
            self.stdout.write(
                f"Authors written: {result.authors_written}; "
                f"regions and themes written: {result.vocabulary_written}."
            )
        self.stdout.write(f"Demo images: {len(images)} in the library.")
