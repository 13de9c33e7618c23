"""The Store port and its adapters (DESIGN.md, "Layout": store/)."""

from service.store.embedded import EmbeddedStore
from service.store.port import QueryResult, Store

__all__ = ["EmbeddedStore", "QueryResult", "Store"]
