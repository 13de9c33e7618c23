"""The HTML query page served to browsers at ``/sparql``: no CDN, works offline."""

from __future__ import annotations

import json
import re
from functools import cache
from html import escape
from pathlib import Path

from service.config import PROJECT_ROOT

_TEMPLATE = Path(__file__).parent / "static" / "query.html"


@cache
def _examples() -> list[dict[str, str]]:
    """The README's example queries, each with the sentence before it as its title."""
    readme = PROJECT_ROOT / "README.md"
    if not readme.is_file():
        return []
    text = readme.read_text(encoding="utf-8")
    examples = []
    for match in re.finditer(r"\n([^\n`][^\n]*):\n\n```sparql\n(.*?)```", text, flags=re.DOTALL):
        examples.append({"title": match.group(1).strip(), "query": match.group(2).strip()})
    return examples


def query_page(endpoint: str) -> str:
    """The page, with the endpoint and the example queries filled in."""
    template = _TEMPLATE.read_text(encoding="utf-8")
    examples = json.dumps(_examples(), ensure_ascii=False).replace("</", "<\\/")
    return template.replace("{{ENDPOINT}}", escape(endpoint)).replace("{{EXAMPLES}}", examples)
