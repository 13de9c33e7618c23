"""Settings fail fast on unsafe or malformed values."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from service.config import Settings


def test_defaults_are_safe_for_development() -> None:
    settings = Settings()
    assert settings.host == "127.0.0.1"
    assert settings.base_iri == "https://w3id.org/alliancegraph/id/"


def test_production_refuses_the_development_api_key() -> None:
    with pytest.raises(ValidationError, match="development default"):
        Settings(env="prod")


def test_production_accepts_a_real_key() -> None:
    assert Settings(env="prod", api_key="a-long-random-secret").env == "prod"


def test_short_api_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 8"):
        Settings(api_key="short")


@pytest.mark.parametrize("iri", ["ftp://x/", "https://example.org/id", "not an iri"])
def test_malformed_base_iri_is_refused(iri: str) -> None:
    with pytest.raises(ValidationError, match="base_iri"):
        Settings(base_iri=iri)


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLIANCEGRAPH_PORT", "9001")
    assert Settings().port == 9001
