"""``core.userdata.LocalAnswers``: a process's copies of the answers it served,
bounded in bytes (least recently used out first) and in time."""

import time

from core.userdata import LocalAnswers


def answers(max_bytes: int, seconds: float = 60) -> LocalAnswers:
    """Copies counted by their bodies alone, for round numbers."""
    copies = LocalAnswers(max_bytes=max_bytes, seconds=seconds)
    copies.ENTRY_BYTES = -1  # one-letter keys: each copy costs its body's length
    return copies


def test_a_copy_is_served_until_it_expires():
    copies = answers(max_bytes=100, seconds=0.05)
    copies.put("a", b"{}")
    assert copies.get("a") == b"{}"
    time.sleep(0.06)
    assert copies.get("a") is None
    assert copies.size == 0


def test_the_least_recently_used_goes_first_when_full():
    copies = answers(max_bytes=10)
    copies.put("a", b"aaaa")
    copies.put("b", b"bbbb")
    assert copies.get("a") == b"aaaa"  # a is now the most recent
    copies.put("c", b"cccc")
    assert copies.get("b") is None
    assert (copies.get("a"), copies.get("c")) == (b"aaaa", b"cccc")
    assert copies.size == 8


def test_expired_copies_are_swept_as_new_ones_come():
    copies = answers(max_bytes=100, seconds=0.05)
    copies.put("a", b"aaaa")
    copies.put("b", b"bbbb")
    time.sleep(0.06)
    copies.seconds = 60
    copies.put("c", b"cccc")
    assert list(copies._entries) == ["c"]
    assert copies.size == 4


def test_a_replaced_copy_is_counted_once_and_a_too_large_one_is_not_kept():
    copies = answers(max_bytes=10)
    copies.put("a", b"aaaa")
    copies.put("a", b"aaaaaa")
    assert (copies.get("a"), copies.size) == (b"aaaaaa", 6)
    copies.put("b", b"x" * 11)
    assert copies.get("b") is None
    assert copies.size == 6
    copies.clear()
    assert (copies.get("a"), copies.size) == (None, 0)


def test_each_copy_counts_its_key_and_its_bookkeeping():
    copies = LocalAnswers(max_bytes=1 << 20, seconds=60)
    key = "answer:current:7:3:2:2026-11-29:2026-11-29"
    copies.put(key, b"{}")
    assert copies.size == len(key) + 2 + LocalAnswers.ENTRY_BYTES
