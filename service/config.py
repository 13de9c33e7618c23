"""Settings of the service: one pydantic-settings class, the only reader of the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The development API key. Accepted only with ``ALLIANCEGRAPH_ENV=dev``.
DEV_API_KEY = "dev-key-change-me"

#: The folder that holds ``ontology/``, ``shapes/`` and ``examples/`` (the checkout).
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Configuration from ``ALLIANCEGRAPH_*`` environment variables (or a ``.env`` file).

    :raises pydantic.ValidationError: on an unsafe or malformed value, so startup fails fast.
    """

    model_config = SettingsConfigDict(env_prefix="ALLIANCEGRAPH_", env_file=".env", extra="ignore")

    env: Literal["dev", "prod"] = "dev"
    store: Path = Field(default=Path("data/store"), description="Embedded store folder.")
    store_query_url: str | None = Field(
        default=None,
        description="A remote SPARQL 1.1 query endpoint: the store is that server, not the "
        "embedded folder (see the README's deployment guide).",
    )
    store_update_url: str | None = Field(
        default=None,
        description="The remote SPARQL 1.1 update endpoint (default: the query URL, or "
        "…/update when it ends with /query).",
    )
    store_gsp_url: str | None = Field(
        default=None, description="The remote Graph Store HTTP Protocol endpoint (optional)."
    )
    store_user: str | None = Field(default=None, description="User for the remote store.")
    store_password: SecretStr | None = None
    store_auth: Literal["basic", "digest"] = Field(
        default="basic", description="How the user and password are sent."
    )
    store_token: SecretStr | None = Field(
        default=None, description="A bearer token for the remote store (instead of a user)."
    )
    store_dialect: Literal["auto", "oxigraph", "virtuoso", "generic"] = Field(
        default="auto", description="The remote server's kind (auto: from its Server header)."
    )
    store_timeout_s: float = Field(default=60.0, gt=0, description="One remote request's limit.")
    store_retries: int = Field(default=2, ge=0, description="Retries of a failed remote read.")
    store_lease_s: float = Field(
        default=300.0, gt=0, description="How long a dead replica's write lease blocks writers."
    )
    store_lease_wait_s: float = Field(
        default=600.0, gt=0, description="How long a write waits for the lease."
    )
    store_version_ttl_s: float = Field(
        default=1.0,
        ge=0,
        description="How long a replica trusts the store version it read (other replicas' "
        "writes show in cached answers after at most this long).",
    )
    api_key: SecretStr = SecretStr(DEV_API_KEY)
    base_iri: str = "https://w3id.org/alliancegraph/id/"
    graph_base_iri: str = "https://w3id.org/alliancegraph/graph/"
    ontology_dir: Path = PROJECT_ROOT / "ontology"
    shapes_dir: Path = PROJECT_ROOT / "shapes"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    query_timeout_s: float = Field(default=30.0, gt=0, description="SPARQL query time limit.")
    query_workers: int = Field(default=4, ge=1, description="Queries evaluated at once.")
    query_max_waiting: int = Field(default=32, ge=0, description="Queries queued before 503.")
    max_body_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    access_log_flush_s: float = Field(
        default=1.0,
        ge=0,
        le=60,
        description="Access log lines are written at most this long after a request (0: each).",
    )
    read_only: bool = Field(default=False, description="Refuse every write.")
    require_read_auth: bool = Field(default=False, description="Reads need the API key too.")
    federation_allowlist: list[str] = Field(
        default=["https://query.wikidata.org/sparql"],
        description="SERVICE endpoints a query may call (a JSON list in the environment).",
    )
    wikidata_endpoint: str = Field(
        default="https://query.wikidata.org/sparql",
        description="Wikidata SPARQL endpoint for linking; empty disables linking.",
    )
    wikidata_timeout_s: float = Field(default=20.0, gt=0, description="One request's time limit.")
    wikidata_retries: int = Field(default=3, ge=0, description="Retries on 429 and 5xx.")
    wikidata_cache: Path | None = Field(
        default=None,
        description="Persistent cache of Wikidata answers (default: beside the store).",
    )
    link_on_ingest: bool = Field(default=True, description="Link new firms when ingesting.")
    public_url: str | None = Field(
        default=None,
        description="The service's public URL behind a proxy (https://graph.example.com/); "
        "links in answers use it instead of the request's host.",
    )
    update_sandbox_max_quads: int = Field(
        default=2_000_000, gt=0, description="Largest store a validated SPARQL update copies."
    )

    @model_validator(mode="after")
    def _refuse_unsafe_values(self) -> Settings:
        if self.env != "dev" and self.api_key.get_secret_value() == DEV_API_KEY:
            raise ValueError(
                "ALLIANCEGRAPH_API_KEY is the development default; set a secret key outside dev"
            )
        if len(self.api_key.get_secret_value()) < 8:
            raise ValueError("ALLIANCEGRAPH_API_KEY must be at least 8 characters")
        for name in ("store_query_url", "store_update_url", "store_gsp_url"):
            value = getattr(self, name)
            if value is not None and not value.startswith(("http://", "https://")):
                raise ValueError(f"{name} must be an http(s) URL: {value!r}")
        if self.store_token is not None and self.store_user is not None:
            raise ValueError("give ALLIANCEGRAPH_STORE_TOKEN or ALLIANCEGRAPH_STORE_USER, not both")
        for name in ("base_iri", "graph_base_iri"):
            value = getattr(self, name)
            if not value.startswith(("http://", "https://")) or not value.endswith("/"):
                raise ValueError(f"{name} must be an http(s) IRI ending with '/': {value!r}")
        return self

    @property
    def store_is_remote(self) -> bool:
        return self.store_query_url is not None

    def store_name(self) -> str:
        """The store as people know it: the folder, or the remote query URL."""
        return self.store_query_url or str(self.store)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
