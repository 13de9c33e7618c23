"""The README's example queries run on the example data and answer something."""

from __future__ import annotations

import re

import pytest
from pyoxigraph import QuerySolutions

from service.config import PROJECT_ROOT
from service.context import ServiceContext

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
QUERIES = re.findall(r"```sparql\n(.*?)```", README, flags=re.DOTALL)


def test_readme_has_five_example_queries() -> None:
    assert len(QUERIES) >= 5


def test_readme_shows_the_two_commands() -> None:
    assert "make run" in README
    assert "make test" in README


@pytest.mark.parametrize("query", QUERIES, ids=[f"query-{i}" for i in range(len(QUERIES))])
def test_readme_query_answers_on_example_data(
    examples_readonly: ServiceContext, query: str
) -> None:
    result = examples_readonly.store.query(query)
    assert isinstance(result, QuerySolutions)
    assert len(list(result)) >= 1
