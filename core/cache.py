"""Django's Redis cache, keeping one client per connection pool.

``django.core.cache.backends.redis.RedisCacheClient.get_client`` builds a new
``redis.Redis`` for every cache operation, and each build copies redis-py's
table of ~170 response callbacks: ~0.15 ms, a tenth of the CPU of a cached
answer, paid twice more by the per-user throttle on every request. A client
holds no connection of its own (it borrows from the pool) and is thread-safe,
so one per pool serves every operation: 0.14 ms saved per operation, 14% of a
request to ``/auth/me`` (``bench/caches.py --redis``; README, Benchmarks).
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
