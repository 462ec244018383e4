"""``core.userdata.LocalAnswers``: a process's copies of the answers it served,
bounded in bytes (least recently used out first) and in time."""

import time

from core.userdata import LocalAnswers


def test_a_copy_is_served_until_it_expires():
    answers = LocalAnswers(max_bytes=100, seconds=0.05)
    answers.put("answer:current:1:0", b"{}")
    assert answers.get("answer:current:1:0") == b"{}"
    time.sleep(0.06)
    assert answers.get("answer:current:1:0") is None
    assert answers.size == 0


def test_the_least_recently_used_goes_first_when_full():
    answers = LocalAnswers(max_bytes=10, seconds=60)
    answers.put("a", b"aaaa")
    answers.put("b", b"bbbb")
    assert answers.get("a") == b"aaaa"  # a is now the most recent
    answers.put("c", b"cccc")
    assert answers.get("b") is None
    assert (answers.get("a"), answers.get("c")) == (b"aaaa", b"cccc")
    assert answers.size == 8


def test_a_replaced_copy_is_counted_once_and_a_too_large_one_is_not_kept():
    answers = LocalAnswers(max_bytes=10, seconds=60)
    answers.put("a", b"aaaa")
    answers.put("a", b"aaaaaa")
    assert (answers.get("a"), answers.size) == (b"aaaaaa", 6)
    answers.put("big", b"x" * 11)
    assert answers.get("big") is None
    assert answers.size == 6
    answers.clear()
    assert (answers.get("a"), answers.size) == (None, 0)
