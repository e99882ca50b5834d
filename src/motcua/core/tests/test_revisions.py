"""Shared read caches under revision numbers (core.revisions): bumped on commit only, read
around while a transaction has a change pending, never resurrected by a lost counter."""

from __future__ import annotations

import warnings

import pytest
from django.core.cache import cache
from django.db import transaction

from motcua.core.revisions import bump, cached, pending, revisions

# Real commits and rollbacks: the bump is an on-commit callback.
pytestmark = pytest.mark.django_db(transaction=True)


class Source:
    """Stands for the database rows a cached value is built from."""

    def __init__(self, value: str) -> None:
        self.value = value
        self.builds = 0

    def build(self) -> str:
        self.builds += 1
        return self.value


def read(source: Source, names=("things",)) -> str:
    return cached("things:1", source.build, depends_on=list(names))


def test_a_value_is_built_once_then_again_after_a_committed_change():
    source = Source("old")
    assert (read(source), read(source), source.builds) == ("old", "old", 1)
    with transaction.atomic():
        source.value = "new"
        bump("things")
    assert (read(source), read(source), source.builds) == ("new", "new", 2)


def test_the_number_moves_only_when_the_transaction_commits():
    before = revisions(["things"])
    with transaction.atomic():
        bump("things")
        assert pending(["things"]) and not pending(["other"])
        # Readers elsewhere still use the old number; they store what they see under it,
        # which the commit then leaves behind.
        assert revisions(["things"]) == before
    assert not pending(["things"])
    after = revisions(["things"])
    assert after != before and revisions(["other"]) != after


def test_a_pending_change_is_read_around_the_cache_and_a_rollback_leaves_nothing():
    source = Source("committed")
    assert read(source) == "committed"
    with pytest.raises(RuntimeError), transaction.atomic():
        source.value = "rolled back"
        bump("things")
        # The writer sees its own change; nothing of it is stored for others.
        assert (read(source), read(source)) == ("rolled back", "rolled back")
        assert source.builds == 3
        raise RuntimeError
    source.value = "committed"
    assert read(source) == "committed"
    # Nothing was stored or bumped while the change was pending: the first value still serves.
    assert source.builds == 3


def test_each_namespace_drops_only_what_depends_on_it():
    source = Source("routing")
    read(source, ["catalog", "organizations"])
    with transaction.atomic():
        bump("workflows")
    read(source, ["catalog", "organizations"])
    assert source.builds == 1
    with transaction.atomic():
        bump("organizations")
    read(source, ["catalog", "organizations"])
    assert source.builds == 2


def test_a_lost_counter_never_brings_back_an_old_value():
    source = Source("old")
    read(source)
    source.value = "new"
    # A flush or an eviction loses the counter but not (yet) the value stored under it.
    cache.delete("motcua:revision:things")
    assert read(source) == "new"
    with transaction.atomic():
        bump("things")  # a bump of a lost counter starts a fresh one
    cache.delete("motcua:revision:things")
    with transaction.atomic():
        bump("things")
    assert read(source) == "new" and source.builds == 3


def test_what_build_raises_is_never_kept():
    calls = []

    def missing():
        calls.append(1)
        raise LookupError

    for _attempt in range(2):
        with pytest.raises(LookupError):
            cached("things:unknown", missing, depends_on=["things"])
    assert len(calls) == 2


def test_any_key_text_is_accepted_by_every_backend():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # CacheKeyWarning: not portable to memcached
        key = "procedure:mã có dấu cách " + "x" * 300
        assert cached(key, lambda: 1, depends_on=["things"]) == 1
        assert cached(key, lambda: 2, depends_on=["things"]) == 1
