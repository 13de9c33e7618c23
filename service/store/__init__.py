"""The Store port and its adapters (DESIGN.md, "Layout": store/)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from service.store.embedded import EmbeddedStore
from service.store.port import QueryResult, Store
from service.store.remote import RemoteEndpoint, RemoteStore

if TYPE_CHECKING:
    from service.config import Settings

__all__ = ["EmbeddedStore", "QueryResult", "RemoteEndpoint", "RemoteStore", "Store", "open_store"]


def open_store(settings: Settings) -> Store:
    """The store the settings name: a remote SPARQL server when ``store_query_url`` is set,
    else the embedded folder ``store``."""
    if settings.store_query_url is None:
        return EmbeddedStore(settings.store)
    endpoint = RemoteEndpoint.from_url(
        settings.store_query_url,
        gsp_url=settings.store_gsp_url,
        user=settings.store_user,
        password=settings.store_password.get_secret_value() if settings.store_password else None,
        auth_scheme=settings.store_auth,
        token=settings.store_token.get_secret_value() if settings.store_token else None,
    )
    if settings.store_update_url is not None:
        endpoint = replace(endpoint, update_url=settings.store_update_url)
    return RemoteStore(
        endpoint,
        graph_base_iri=settings.graph_base_iri,
        timeout_s=settings.store_timeout_s,
        retries=settings.store_retries,
        dialect=settings.store_dialect,
        version_ttl_s=settings.store_version_ttl_s,
        lease_s=settings.store_lease_s,
        lease_wait_s=settings.store_lease_wait_s,
    )
