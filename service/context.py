"""What a running service holds: settings, the open store, the ontology and the shapes.

Created once by the CLI command or the app's lifespan, never at import time.
"""

from __future__ import annotations

import threading
from functools import cached_property

from service.config import Settings
from service.namespaces import GraphNames
from service.ontology import OntologyBundle, ensure_ontology
from service.store import open_store
from service.store.port import Store
from service.validation import ShapesGraph


class ServiceContext:
    """The store with its ontology graph up to date, and the validator (parsed on first use)."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.graphs = GraphNames(settings.graph_base_iri)
        self.ontology = OntologyBundle.from_dir(settings.ontology_dir)
        self.store: Store = store if store is not None else open_store(settings)
        self.ontology_reloaded = ensure_ontology(self.store, self.ontology, self.graphs)
        # Writes are serialised: each validates against the store as it will be committed.
        self.write_lock = threading.Lock()

    @cached_property
    def shapes(self) -> ShapesGraph:
        return ShapesGraph(self.settings.shapes_dir, self.ontology)

    def close(self) -> None:
        self.store.close()
