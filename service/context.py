"""What a running service holds: settings, the open store, the ontology and the shapes.

Created once by the CLI command or the app's lifespan, never at import time.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from functools import cached_property

from service.config import Settings
from service.namespaces import GraphNames
from service.ontology import OntologyBundle, ensure_ontology
from service.store import open_store
from service.store.port import Store
from service.validation import ShapesGraph


class WriteLock:
    """The service's write lock: one writer at a time in this process, and, on a store shared
    by replicas, the store's write lease while held (``Store.exclusive``)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._local = threading.Lock()
        self._held: list[AbstractContextManager[None]] = []

    def __enter__(self) -> None:
        self._local.acquire()
        try:
            lease = self._store.exclusive()
            lease.__enter__()
        except BaseException:
            self._local.release()
            raise
        self._held.append(lease)

    def __exit__(self, *exc: object) -> None:
        try:
            self._held.pop().__exit__(None, None, None)
        finally:
            self._local.release()


class ServiceContext:
    """The store with its ontology graph up to date, and the validator (parsed on first use)."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.graphs = GraphNames(settings.graph_base_iri)
        self.ontology = OntologyBundle.from_dir(settings.ontology_dir)
        self.store: Store = store if store is not None else open_store(settings)
        self.ontology_reloaded = ensure_ontology(self.store, self.ontology, self.graphs)
        # Writes are serialised, across replicas too: each validates against the store as it
        # will be committed.
        self.write_lock = WriteLock(self.store)

    @cached_property
    def shapes(self) -> ShapesGraph:
        return ShapesGraph(self.settings.shapes_dir, self.ontology)

    def close(self) -> None:
        self.store.close()
