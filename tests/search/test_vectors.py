import pytest

from apps.articles.models import Article, Section
from tests.factories import RegionFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def test_refresh_derived_weights_title_a_dek_and_names_b_and_bodies_c(publish):
    article = publish(
        title="Tariffs",
        dek="Quarrels over semiconductors.",
        sections=[("Shipyards", "Fisheries and whaling.")],
        regions=[RegionFactory(name="Mongolia", slug="mongolia")],
        themes=[ThemeFactory(name="Cartography", slug="cartography")],
        tags=["lighthouses"],
        takeaways=["Orchards matter."],
    )
    vector = Article.objects.values_list("search_vector", flat=True).get(pk=article.pk)
    head = Article.objects.values_list("search_head", flat=True).get(pk=article.pk)
    assert "'tariff':1A" in vector
    for lexeme in ("'semiconductor'", "'shipyard'", "'mongolia'", "'cartographi'"):
        assert f"{lexeme}:" in vector and f"{lexeme}:" in head
    assert "'lighthous'" in head and "'orchard'" in head
    body_entry = next(e for e in vector.split() if e.startswith("'fisheri'"))
    assert body_entry.endswith("C")
    assert "'fisheri'" not in head
    # exact forms ride along with the stems
    assert "'tariffs':" in vector and "'fisheries':" in vector


def test_section_vector_is_kept_for_snippets(publish):
    article = publish(sections=[("Whaling", "Fisheries policy.")])
    vector = Section.objects.values_list("search_vector", flat=True).get(article=article)
    assert "'whale':1B" in vector and "'fisheri'" in vector


def test_vectors_follow_an_edit_of_the_sections(publish):
    article = publish(title="Ports", sections=[("Old", "Anchovies.")])
    section = article.sections.get()
    section.body = "Sardines."
    section.save()
    article.refresh_derived()
    vector = Article.objects.values_list("search_vector", flat=True).get(pk=article.pk)
    assert "'sardin'" in vector and "'anchovi'" not in vector
