"""Shared read caches that every process drops the moment their data changes.

Hot reads (the procedure a submission names, its version in force, its competence) are kept in
each process's memory, each under a key that carries the revision numbers of what it is built
from: a namespace such as "catalog" or "organizations". The numbers live in Django's cache
(`CACHES`: this process's memory by default, Redis when `CACHE_URL` is set, then shared by every
worker), and one small read of them per look-up is all a hit costs: the values themselves are
never serialized (a version's content document is large; unpickling it on every submission cost
more than the query it saves). A service that changes such data calls `bump(namespace)` in its
transaction; the number is incremented in the cache when the transaction commits, so the next
read in any process sharing the cache misses and rebuilds.

- On commit, never before: a reader in another process would otherwise store the rows it still
  sees (the old ones) under the new number, and keep them.
- Until then, the writing transaction reads around the cache: it sees its own changes, and a
  rollback leaves nothing behind.
- A number is started at random, so a counter lost to a flush, an eviction or a Redis restart
  never comes back to a number old entries were stored under. Those entries are never read
  again; a value is rebuilt after `TIMEOUT` seconds anyway, which bounds how long a write made
  behind the services' back (SQL, the shell) can go unseen.
"""

from __future__ import annotations

import contextvars
import hashlib
import re
import secrets
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

TIMEOUT = 3600
_MISSING = object()
# This process's values, by key and revision numbers; emptied when it grows past _LOCAL_MAX
# (entries of old revisions are never read again).
_local: dict[str, tuple[float, object]] = {}
_LOCAL_MAX = 10_000
# Keys safe for every cache backend (memcached's rules are the strictest); others are hashed.
_PLAIN_KEY = re.compile(r"^[\w.:-]{1,150}$")


def _revision_key(name: str) -> str:
    return f"motcua:revision:{name}"


def _fresh() -> int:
    return secrets.randbits(62)


# Within one request the numbers are read once, all namespaces in one round trip
# (`RevisionsPerRequest`); a bump this process commits drops its number from the memo.
_memo: contextvars.ContextVar[dict[str, int] | None] = contextvars.ContextVar(
    "motcua_revisions", default=None
)
KNOWN = ("catalog", "organizations", "accounts")


def _read(names: Sequence[str]) -> dict[str, int] | None:
    keys = {name: _revision_key(name) for name in names}
    found = cache.get_many(list(keys.values()))
    numbers = {}
    for name, key in keys.items():
        number = found.get(key)
        if number is None:
            # add(): of processes starting the counter at once, the first one wins.
            cache.add(key, _fresh(), timeout=None)
            number = cache.get(key)
            if number is None:
                return None
        numbers[name] = number
    return numbers


def revisions(names: Sequence[str]) -> tuple[int, ...] | None:
    """The current numbers of `names`; None when the cache keeps nothing (a dummy backend)."""
    memo = _memo.get()
    if memo is not None and all(name in memo for name in names):
        return tuple(memo[name] for name in names)
    wanted = list(dict.fromkeys([*names, *KNOWN])) if memo is not None else list(names)
    numbers = _read(wanted)
    if numbers is None:
        return None
    if memo is not None:
        memo.update(numbers)
    return tuple(numbers[name] for name in names)


class RevisionsPerRequest:
    """Middleware: one read of the revision numbers per request, however many look-ups."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)


class _Bump:
    """The on-commit callback of `bump`, recognisable among a transaction's pending ones."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self) -> None:
        key = _revision_key(self.name)
        try:
            cache.incr(key)
        except ValueError:  # lost (flushed, evicted): any fresh number is a new one
            cache.set(key, _fresh(), timeout=None)
        memo = _memo.get()
        if memo is not None:
            memo.pop(self.name, None)


def bump(name: str, *, using: str | None = None) -> None:
    """Data of namespace `name` changed in the current transaction: once it commits, every
    value cached from that namespace is stale."""
    # robust: the write has committed; a cache outage must not turn it into an error page.
    transaction.on_commit(_Bump(name), using=using, robust=True)


def pending(names: Sequence[str], *, using: str | None = None) -> bool:
    """Has the current transaction changed data of `names` without committing yet?"""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        return False
    return any(
        isinstance(callback, _Bump) and callback.name in names
        for _savepoints, callback, _robust in connection.run_on_commit
    )


def cached(key: str, build: Callable[[], T], *, depends_on: Sequence[str]) -> T:
    """`build()`, kept in the shared cache under `key` until a namespace of `depends_on` is
    bumped. What `build` raises is raised and never kept."""
    if pending(depends_on):
        return build()
    numbers = revisions(depends_on)
    if numbers is None:
        return build()
    if not _PLAIN_KEY.match(key):
        key = hashlib.sha256(key.encode()).hexdigest()
    stamps = [f"{name}.{number}" for name, number in zip(depends_on, numbers, strict=True)]
    full_key = ":".join(["motcua", key, *stamps])
    now = time.monotonic()
    hit = _local.get(full_key)
    if hit is not None and now - hit[0] < TIMEOUT:
        return hit[1]  # type: ignore[return-value]
    value = build()
    if len(_local) >= _LOCAL_MAX:
        _local.clear()
    _local[full_key] = (now, value)
    return value
