"""The Redis cache backend (config/redis_cache.py): one client per connection pool."""

import socket

import pytest

from config.redis_cache import RedisCache

REDIS = ("127.0.0.1", 6379)


def backend() -> RedisCache:
    return RedisCache(f"redis://{REDIS[0]}:{REDIS[1]}/15", {"KEY_PREFIX": "test-redis-cache"})


def test_cache_calls_share_one_client_per_connection_pool():
    cache = backend()
    # Django's own backend returns a new redis.Redis each time (~350 dict writes apiece).
    assert cache._cache.get_client(write=True) is cache._cache.get_client(write=False)
    assert backend()._cache.get_client() is not cache._cache.get_client()


def _redis_answers() -> bool:
    try:
        socket.create_connection(REDIS, timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_answers(), reason="no Redis server on 127.0.0.1:6379")
def test_values_round_trip_through_the_shared_client():
    cache = backend()
    cache.set("page", (200, b"<html>", [("Content-Type", "text/html")]), timeout=5)
    assert cache.get("page") == (200, b"<html>", [("Content-Type", "text/html")])
    cache.delete("counter")
    assert cache.add("counter", 1, timeout=5)
    assert cache.incr("counter") == 2
    cache.delete_many(["page", "counter"])
    assert cache.get("page") is None
