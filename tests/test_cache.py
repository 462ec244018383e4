"""The Redis cache backend (``planher.cache``), against the Redis at 127.0.0.1:6379."""

import os
import threading

import pytest
import redis

from planher.cache import RedisCache

pytestmark = pytest.mark.redis

REDIS_TEST_URL = os.environ.get("REDIS_CACHE_TEST_URL", "redis://127.0.0.1:6379/12")


@pytest.fixture
def cache():
    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_TEST_URL}")
    backend = RedisCache(REDIS_TEST_URL, {"KEY_PREFIX": "planher-cache-test"})
    yield backend
    backend.clear()


def test_every_operation_shares_one_client_and_behaves_as_djangos(cache):
    assert cache.get("answer") is None
    cache.set("answer", {"level": 2}, 60)
    assert cache.get_or_set("answer", {"level": 0}, 60) == {"level": 2}
    assert cache.add("answer", {"level": 1}, 60) is False
    cache.delete("answer")
    assert cache.get("answer", "gone") == "gone"
    clients = {id(cache._cache.get_client(write=write)) for write in (False, True)}
    assert len(clients) == 1


def test_threads_share_the_client_safely(cache):
    errors = []

    def work(n):
        try:
            for i in range(200):
                cache.set(f"k{n}:{i}", i, 60)
                assert cache.get(f"k{n}:{i}") == i
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
