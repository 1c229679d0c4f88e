import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory

from apps.articles.models import Article
from config import routers
from config.routers import (
    PrimaryReplicaRouter,
    ReplicaRoutingMiddleware,
    request_may_use_replica,
    use_replica,
)

router = PrimaryReplicaRouter()


@pytest.fixture
def with_replica(monkeypatch):
    """As if REPLICA_DATABASE_URL were set (the alias is only named here, never connected)."""
    monkeypatch.setattr(routers, "replica_configured", lambda: True)


def routed_read(request) -> list[str]:
    seen = []

    def view(req):
        seen.append(router.db_for_read(Article))
        return None

    ReplicaRoutingMiddleware(view)(request)
    return seen


def test_anonymous_page_views_read_from_the_replica(with_replica):
    assert routed_read(RequestFactory().get("/regions/japan/")) == ["replica"]


def test_editors_read_from_the_primary(with_replica):
    request = RequestFactory().get("/regions/japan/")
    request.COOKIES["sessionid"] = "abc"

    assert routed_read(request) == ["default"]


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_form_posts_read_from_the_primary(with_replica, method):
    assert routed_read(getattr(RequestFactory(), method)("/search/")) == ["default"]


def test_admin_reads_from_the_primary(with_replica):
    assert routed_read(RequestFactory().get("/admin/login/")) == ["default"]


def test_reads_after_a_write_in_the_same_request_use_the_primary(with_replica):
    seen = []

    def view(request):
        seen.append(router.db_for_read(Article))
        assert router.db_for_write(Article) == "default"
        seen.append(router.db_for_read(Article))

    ReplicaRoutingMiddleware(view)(RequestFactory().get("/"))

    assert seen == ["replica", "default"]


def test_outside_a_request_reads_use_the_primary_unless_asked(with_replica):
    assert router.db_for_read(User) == "default"
    with use_replica():
        assert router.db_for_read(User) == "replica"
    assert router.db_for_read(User) == "default"


def test_without_a_replica_everything_uses_the_primary():
    with use_replica():
        assert router.db_for_read(Article) == "default"


def test_only_the_primary_is_migrated():
    assert router.allow_migrate("default", "articles")
    assert not router.allow_migrate("replica", "articles")


def test_request_classification():
    factory = RequestFactory()
    assert request_may_use_replica(factory.get("/"))
    assert request_may_use_replica(factory.head("/"))
    assert not request_may_use_replica(factory.post("/"))
