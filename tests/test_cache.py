"""The Redis cache backend (``core.cache``), against the Redis at 127.0.0.1:6379."""

import os
import threading

import pytest
import redis

from core.cache import RedisCache

pytestmark = pytest.mark.redis

REDIS_TEST_URL = os.environ.get("REDIS_CACHE_TEST_URL", "redis://127.0.0.1:6379/10")


@pytest.fixture
def cache():
    backend = RedisCache(REDIS_TEST_URL, {})
    try:
        backend.clear()  # a database of its own
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_TEST_URL}")
    yield backend
    backend.clear()


def test_every_operation_shares_one_client_and_behaves_as_djangos(cache):
    assert cache.get("answer") is None
    cache.set("answer", {"level": 2}, 60)
    assert cache.get_or_set("answer", {"level": 0}, 60) == {"level": 2}
    assert cache.add("answer", {"level": 1}, 60) is False
    cache.delete("answer")
    assert cache.get("answer", "gone") == "gone"
    clients = [cache._cache.get_client(write=write) for write in (False, True, False)]
    assert all(client is clients[0] for client in clients)


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


def test_a_counter_is_counted_and_another_read_in_one_round_trip(cache, monkeypatch):
    sent = []
    send = redis.connection.Connection.send_packed_command

    def counting(connection, *args, **kwargs):
        sent.append(1)
        return send(connection, *args, **kwargs)

    another_worker = RedisCache(REDIS_TEST_URL, {})
    cache.set("previous", 5, 60)
    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", counting)
    assert cache.count_and_read("current", "previous", 60) == (1, 5)
    assert len(sent) == 1
    assert another_worker.count_and_read("current", "missing", 60) == (2, 0)
    monkeypatch.undo()
    assert cache.get("current") == 2  # a plain number, read back as Django's cache does
    assert 0 < cache._cache.get_client().ttl(cache.make_key("current")) <= 60


def test_a_count_failing_half_way_leaves_no_reply_for_the_next_one(cache):
    cache._cache.get_client(write=True).set(cache.make_key("current"), "not a number")
    with pytest.raises(redis.ResponseError):
        cache.count_and_read("current", "previous", 60)  # INCR fails, GET's reply follows
    cache.set("previous", 3, 60)
    assert cache.get("previous") == 3
    cache.delete("current")
    assert cache.count_and_read("current", "previous", 60) == (1, 3)


def test_counting_goes_on_after_redis_drops_the_connection(cache):
    assert cache.count_and_read("current", "previous", 60) == (1, 0)
    client = cache._cache.get_client(write=True)
    ours = client.client_id()  # the pool's one connection, which counted
    redis.Redis.from_url(REDIS_TEST_URL).client_kill_filter(_id=ours)
    assert cache.count_and_read("current", "previous", 60) == (2, 0)
    assert client.client_id() != ours


def test_the_user_throttle_makes_one_round_trip_through_djangos_default_cache(
    settings, monkeypatch
):
    from django.contrib.auth.models import AnonymousUser
    from rest_framework.test import APIRequestFactory

    from core.throttling import UserRateThrottle

    settings.CACHES = {"default": {"BACKEND": "core.cache.RedisCache", "LOCATION": REDIS_TEST_URL}}
    request = APIRequestFactory().get("/api/v1/auth/me")
    request.user = type("Her", (AnonymousUser,), {"pk": 7, "is_authenticated": True})()
    sent = []
    send = redis.connection.Connection.send_packed_command

    def counting(connection, *args, **kwargs):
        sent.append(1)
        return send(connection, *args, **kwargs)

    try:
        UserRateThrottle().allow_request(request, None)  # the connection is opened here
        monkeypatch.setattr(redis.connection.Connection, "send_packed_command", counting)
        assert UserRateThrottle().allow_request(request, None)
        assert len(sent) == 1
    finally:
        monkeypatch.undo()
        from django.core.cache import cache

        cache.clear()
