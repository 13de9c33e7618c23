"""What Wikidata answered, kept on disk, and the links waiting for a person's review.

Re-runs and offline runs read answers from here and send no request. The cache is keyed by
endpoint, so a mirror and the public endpoint do not mix. The review list is recomputed by each
linking run; the decisions people take are not kept here but in the store (curated data).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from service.link.client import Candidate, ItemFacts

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    endpoint TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    fetched REAL NOT NULL, PRIMARY KEY (endpoint, kind, key));
CREATE TABLE IF NOT EXISTS review (
    organization TEXT PRIMARY KEY, label TEXT NOT NULL, reason TEXT NOT NULL,
    candidates TEXT NOT NULL, updated REAL NOT NULL);
"""


class LinkCache:
    """A SQLite file (or memory, for a store without a folder); thread-safe."""

    def __init__(self, path: Path | None) -> None:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock, self._db:
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _get(self, endpoint: str, kind: str, key: str) -> Any | None:
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM answers WHERE endpoint = ? AND kind = ? AND key = ?",
                (endpoint, kind, key),
            ).fetchone()
        return json.loads(row[0]) if row else None

    def _put(self, endpoint: str, kind: str, key: str, value: Any) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?)",
                (endpoint, kind, key, json.dumps(value, ensure_ascii=False), time.time()),
            )

    def candidates(self, endpoint: str, name: str) -> list[Candidate] | None:
        """The cached candidates of a name, or None if never asked."""
        value = self._get(endpoint, "name", name)
        if value is None:
            return None
        return [
            Candidate(
                c["qid"],
                c["name"],
                c["language"],
                c["matched"],
                frozenset(c["classes"]),
                frozenset(c["countries"]),
            )
            for c in value
        ]

    def put_candidates(self, endpoint: str, name: str, candidates: list[Candidate]) -> None:
        rows = [
            {**asdict(c), "classes": sorted(c.classes), "countries": sorted(c.countries)}
            for c in candidates
        ]
        self._put(endpoint, "name", name, rows)

    def facts(self, endpoint: str, qid: str) -> ItemFacts | None:
        value = self._get(endpoint, "item", qid)
        return ItemFacts(qid, value["labels"], value["values"]) if value else None

    def put_facts(self, endpoint: str, facts: ItemFacts) -> None:
        self._put(endpoint, "item", facts.qid, {"labels": facts.labels, "values": facts.values})

    # --- the review list ----------------------------------------------------------------

    def set_review(
        self, organization: str, label: str, reason: str, candidates: list[dict[str, Any]]
    ) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO review VALUES (?, ?, ?, ?, ?)",
                (
                    organization,
                    label,
                    reason,
                    json.dumps(candidates, ensure_ascii=False),
                    time.time(),
                ),
            )

    def clear_review(self, organization: str) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM review WHERE organization = ?", (organization,))

    def review(self) -> list[dict[str, Any]]:
        """Every organization waiting for a decision, with its candidates."""
        with self._lock:
            rows = self._db.execute(
                "SELECT organization, label, reason, candidates FROM review ORDER BY label"
            ).fetchall()
        return [
            {"organization": o, "label": label, "reason": r, "candidates": json.loads(c)}
            for o, label, r, c in rows
        ]
