from django.core.management.base import BaseCommand

from apps.media import renditions
from apps.media.models import Image


class Command(BaseCommand):
    help = (
        "Make the renditions images lack (after a change of sizes or formats) and remove "
        "those no longer needed. Existing renditions are left alone."
    )

    def handle(self, *args, **options) -> None:
        count = 0
        for image in Image.objects.with_renditions().iterator(chunk_size=100):
            before = {r.spec for r in image.renditions.all()}
            made = {r.spec for r in renditions.refresh(image)} - before
            count += len(made)
        self.stdout.write(f"{count} rendition(s) made.")
