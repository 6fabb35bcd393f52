"""Public answers (free times, feeds) kept per process for as long as their data is unchanged.

Every transaction that writes something the public can read also writes a new random token into
the one-row table ``data_version``, just before it commits, in the same transaction. A cached
answer is filed under the token read at the start of the request, before its data: once any
writer commits, the next request reads a new token and computes afresh. A reader pays one
primary-key SELECT. There is no time-to-live and nothing to purge by hand, and it holds across
workers and servers, because the database is the one place that knows what changed.

Writes are seen through the ORM session: flushed objects and ``update()``/``delete()``
statements. Raw SQL that writes (``text()``, a bare connection) is not seen; this code base has
none, and a new one must call ``note_write()``.
"""
from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from cachetools import LRUCache
from flask import Flask, current_app
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from bookings.extensions import db
from bookings.models import DataVersion

T = TypeVar("T")
_EXTENSION = "read_cache"
_WROTE = "read_cache.wrote"  # key in Session.info: this transaction wrote something public
# Tables that no public answer reads: writing them keeps the cache (the outbox is written
# after every booking, and sign-in tokens and the audit log on every staff action).
UNTRACKED_TABLES = frozenset({"outbox_messages", "account_tokens", "audit_entries", "data_version"})
_LOAD_TOKEN = select(DataVersion.token).where(DataVersion.id == 1)
_UNSET = object()


class _Store:
    """A bounded LRU of answers, shared by the threads of one process."""

    def __init__(self, size: int) -> None:
        self._entries: LRUCache = LRUCache(maxsize=size)
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        with self._lock:
            return self._entries.get(key, _UNSET)

    def put(self, key: Hashable, value) -> None:
        with self._lock:
            self._entries[key] = value


class Snapshot:
    """The cache as of one data version, read once: several answers of one request agree."""

    def __init__(self, store: _Store | None, token: int | None) -> None:
        self._store = store if token is not None else None
        self._token = token

    def get(self, key: Hashable):
        """The answer filed under ``key``, or None."""
        if self._store is None:
            return None
        value = self._store.get((self._token, key))
        return None if value is _UNSET else value

    def put(self, key: Hashable, value) -> None:
        """File an answer; it must never be changed afterwards (bytes, tuples, frozen dataclasses)."""
        if self._store is not None:
            self._store.put((self._token, key), value)

    def get_or_make(self, key: Hashable, make: Callable[[], T]) -> T:
        value = self.get(key)
        if value is None:
            value = make()
            self.put(key, value)
        return value


def snapshot() -> Snapshot:
    """Read the data version now; call this before reading the data an answer is made of."""
    store = current_app.extensions.get(_EXTENSION)
    if store is None or db.session.info.get(_WROTE):
        # Off, or this transaction has written: it must read its own writes, not a cached past.
        return Snapshot(None, None)
    return Snapshot(store, db.session.scalar(_LOAD_TOKEN))


def cached(key: Hashable, make: Callable[[], T]) -> T:
    """The answer for ``key`` at the current data version, computed once per version and process."""
    return snapshot().get_or_make(key, make)


def note_write(session: Session) -> None:
    """Mark the session's transaction as one that changes what the public can read."""
    session.info[_WROTE] = True


def init_app(app: Flask) -> None:
    size = int(app.config["READ_CACHE_SIZE"])
    if size > 0:
        app.extensions[_EXTENSION] = _Store(size)
    # db.session is one scoped session for every app of this process: listen once.
    for name, listener in (("after_flush", _after_flush), ("do_orm_execute", _on_statement),
                           ("before_commit", _before_commit), ("after_transaction_end", _after_end)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


# --- session listeners -------------------------------------------------------------------------


def _after_flush(session: Session, _context) -> None:
    # After a flush the new/dirty/deleted collections still show what was just written.
    for instance in (*session.new, *session.dirty, *session.deleted):
        if instance.__table__.name not in UNTRACKED_TABLES:
            note_write(session)
            return


def _on_statement(state) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    mapper = state.bind_mapper
    if mapper is None or mapper.local_table.name not in UNTRACKED_TABLES:
        note_write(state.session)


def _before_commit(session: Session) -> None:
    session.flush()  # what the commit would flush must be seen by _after_flush first
    if session.info.get(_WROTE):
        # Last statement before COMMIT: on PostgreSQL the row stays locked only for the commit,
        # and nothing is waited for after it, so writers cannot deadlock on it.
        session.execute(update(DataVersion).where(DataVersion.id == 1)
                        .values(token=secrets.randbits(62)))


def _after_end(session: Session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction: committed or rolled back
        session.info.pop(_WROTE, None)
