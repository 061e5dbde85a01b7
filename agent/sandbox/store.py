"""Document store for the sandbox: in-memory dicts, written through to SQLite.

Every object the sandbox serves (issues, pages, channels, messages, users...) is
a JSON document of some ``kind`` with a string id. Reads come from memory so a
search over 10,000 issues stays fast; every write goes to SQLite too, so the
sandbox survives a restart with the same ``--data-dir``.
"""

from __future__ import annotations

import copy
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

Doc = dict[str, Any]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


class DocStore:
    """Thread-safe kind/id -> JSON document store with SQLite persistence.

    Documents handed out by :meth:`get` and :meth:`all` are the stored objects
    themselves (for speed); callers that change one must call :meth:`put`.
    """

    def __init__(self, path: Path | None) -> None:
        self.lock = threading.RLock()
        self._docs: dict[str, dict[str, Doc]] = {}
        self._seq = 0
        self._counters: dict[str, int] = {}
        self._db: sqlite3.Connection | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            self._load()

    def _load(self) -> None:
        assert self._db is not None
        for kind, doc_id, seq, body in self._db.execute(
            "SELECT kind, id, seq, body FROM docs ORDER BY seq"
        ):
            self._docs.setdefault(kind, {})[doc_id] = json.loads(body)
            self._seq = max(self._seq, seq)
        for name, value in self._db.execute("SELECT name, value FROM counters"):
            self._counters[name] = value

    # -- reads ---------------------------------------------------------------
    def get(self, kind: str, doc_id: str) -> Doc | None:
        with self.lock:
            return self._docs.get(kind, {}).get(str(doc_id))

    def all(self, kind: str) -> list[Doc]:
        """All documents of a kind, in insertion order."""
        with self.lock:
            return list(self._docs.get(kind, {}).values())

    def iter(self, kind: str) -> Iterator[Doc]:
        return iter(self.all(kind))

    def count(self, kind: str) -> int:
        with self.lock:
            return len(self._docs.get(kind, {}))

    def snapshot(self, kind: str, doc_id: str) -> Doc | None:
        """A deep copy, for callers that want to change a document before putting it."""
        doc = self.get(kind, doc_id)
        return copy.deepcopy(doc) if doc is not None else None

    # -- writes --------------------------------------------------------------
    def put(self, kind: str, doc_id: str, doc: Doc) -> Doc:
        self.put_many(kind, [(doc_id, doc)])
        return doc

    def put_many(self, kind: str, items: Iterable[tuple[str, Doc]]) -> None:
        with self.lock:
            bucket = self._docs.setdefault(kind, {})
            rows = []
            for doc_id, doc in items:
                key = str(doc_id)
                self._seq += 1
                bucket[key] = doc
                rows.append((kind, key, self._seq, json.dumps(doc, separators=(",", ":"))))
            if self._db is not None and rows:
                # keep the first insertion's seq so order survives a restart
                self._db.execute("BEGIN")
                self._db.executemany(
                    "INSERT INTO docs (kind, id, seq, body) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(kind, id) DO UPDATE SET body = excluded.body",
                    rows,
                )
                self._db.execute("COMMIT")

    def delete(self, kind: str, doc_id: str) -> bool:
        with self.lock:
            existed = self._docs.get(kind, {}).pop(str(doc_id), None) is not None
            if self._db is not None and existed:
                self._db.execute("DELETE FROM docs WHERE kind = ? AND id = ?", (kind, str(doc_id)))
            return existed

    def next_id(self, name: str, start: int = 10000) -> int:
        """A persistent counter: the next integer for ``name`` (ids, issue numbers)."""
        with self.lock:
            value = self._counters.get(name, start - 1) + 1
            self._counters[name] = value
            if self._db is not None:
                self._db.execute(
                    "INSERT INTO counters (name, value) VALUES (?, ?) "
                    "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                    (name, value),
                )
            return value

    def reset(self) -> None:
        with self.lock:
            self._docs.clear()
            self._counters.clear()
            self._seq = 0
            if self._db is not None:
                self._db.execute("DELETE FROM docs")
                self._db.execute("DELETE FROM counters")

    def close(self) -> None:
        with self.lock:
            if self._db is not None:
                self._db.close()
                self._db = None
