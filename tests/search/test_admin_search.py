import pytest
from django.urls import reverse

from apps.articles.models import Article

pytestmark = pytest.mark.django_db
URL = reverse("admin:articles_article_changelist")


def test_admin_search_uses_the_index_stems_and_finds_drafts(admin_client, publish):
    publish(title="Coast guards", sections=[("Patrols", "Maritime deterrence in the strait.")])
    publish(
        title="Draft on tariffs",
        status=Article.Status.DRAFT,
        publish_at=None,
        sections=[("A", "Deterrent effects of tariffs.")],
    )
    publish(title="Rice prices", sections=[("A", "Harvests.")])
    html = admin_client.get(URL, {"q": "deterrence"}).content.decode()
    assert "Coast guards" in html and "Draft on tariffs" in html
    assert "Rice prices" not in html
    html = admin_client.get(URL, {"q": "deterrence -tariffs"}).content.decode()
    assert "Coast guards" in html and "Draft on tariffs" not in html


def test_admin_search_survives_odd_input(admin_client, publish):
    publish(title="Coast guards")
    for term in ('"unbalanced', "\x00", "-", "the", "x" * 5000):
        assert admin_client.get(URL, {"q": term}).status_code == 200
