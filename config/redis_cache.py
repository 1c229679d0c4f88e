"""Django's Redis cache backend, without a new client object for every cache call.

`django.core.cache.backends.redis.RedisCacheClient.get_client()` builds a `redis.Redis` for each
get and set: its constructor fills a table of ~350 response callbacks, which cost more CPU than
the Redis round trip itself (two per uncached page: the page cache's read and its store). A
`redis.Redis` holds no per-call state and takes a connection from its pool for each command
(redis-py documents clients as thread-safe), so one per connection pool is enough.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict = {}  # connection pool -> its client

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
