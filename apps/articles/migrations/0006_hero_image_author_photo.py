import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Articles get a hero image and authors a photo, both from the image library.

    Author.photo was an unused ImageField (no upload screen served it); it is replaced by a
    foreign key rather than converted, as there were no stored photos to carry over.
    """

    dependencies = [
        ("articles", "0005_search_vectors"),
        ("media", "0001_image_library"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="hero_image",
            field=models.ForeignKey(
                blank=True,
                help_text="Shown at the top of the article and on its cards; also its social card.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="hero_articles",
                to="media.image",
            ),
        ),
        migrations.RemoveField(model_name="author", name="photo"),
        migrations.AddField(
            model_name="author",
            name="photo",
            field=models.ForeignKey(
                blank=True,
                help_text="A portrait from the image library.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="author_photos",
                to="media.image",
            ),
        ),
    ]
