"""News articles as sources: the JSON shape, front-matter files, JSON lines.

An article file is UTF-8 text: a first line ``---``, then ``key: value`` lines (``url``,
``title``, ``publisher``, ``published``, ``language``), a closing ``---``, then the body
(DESIGN.md, "Interfaces").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from service.errors import ArticleFormatError

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LETTER = re.compile(r"[A-Za-z\uac00-\ud7a3]")
_KEYS = {"url", "title", "publisher", "published", "language"}


class ArticleIn(BaseModel):
    """A news article to ingest."""

    url: str | None = Field(default=None, description="Where the article was published.")
    title: str | None = Field(default=None, max_length=1000)
    publisher: str | None = Field(default=None, max_length=500)
    published: date | datetime = Field(description="Publication date (ISO 8601).")
    language: Literal["ko", "en"] | None = Field(
        default=None, description="ko or en; detected from the text if absent."
    )
    text: str = Field(min_length=1, description="The article body.")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "url": "https://news.example.com/2024/03/01/partners",
                    "title": "Alpha and Beta partner on batteries",
                    "publisher": "Example News",
                    "published": "2024-03-01",
                    "language": "en",
                    "text": "Alpha Corp. and Beta Motors signed an MOU on battery supply.",
                }
            ]
        }
    }

    @field_validator("url")
    @classmethod
    def _url_is_http(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", value):
            raise ValueError("url must be an http(s) URL without spaces")
        return value

    @property
    def detected_language(self) -> str:
        """The declared language, else Korean when Hangul makes up a fifth of the letters."""
        if self.language is not None:
            return self.language
        letters = len(_LETTER.findall(self.text)) or 1
        return "ko" if len(_HANGUL.findall(self.text)) / letters >= 0.2 else "en"

    @property
    def published_date(self) -> date:
        return self.published.date() if isinstance(self.published, datetime) else self.published


def validate_article(fields: object, where: str) -> ArticleIn:
    """The article the fields describe.

    :raises ArticleFormatError: saying which fields are wrong and how, prefixed by ``where``.
    """
    try:
        return ArticleIn.model_validate(fields)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'article'}: {e['msg']}" for e in error.errors()
        )
        raise ArticleFormatError(f"{where}: {problems}") from None


def parse_article_file(text: str, name: str = "article") -> ArticleIn:
    """An article from a front-matter file.

    >>> parse_article_file("---\\npublished: 2024-03-03\\nlanguage: en\\n---\\nA and B met.").text
    'A and B met.'

    :raises ArticleFormatError: naming the line, for a missing or malformed front matter.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise ArticleFormatError(f"{name}:1: an article file starts with a '---' line", line=1)
    fields: dict[str, object] = {}
    for number, line in enumerate(lines[1:], start=2):
        stripped = line.strip()
        if stripped == "---":
            fields["text"] = "".join(lines[number:])
            return validate_article(fields, name)
        if not stripped or stripped.startswith("#"):
            continue
        key, separator, value = stripped.partition(":")
        key = key.strip().lower()
        if not separator or key not in _KEYS:
            raise ArticleFormatError(
                f"{name}:{number}: expected 'key: value' with a key among {sorted(_KEYS)}",
                line=number,
            )
        fields[key] = value.strip().strip('"').strip("'") or None
    raise ArticleFormatError(f"{name}: the front matter has no closing '---' line")


def json_lines(text: str, name: str) -> Iterator[tuple[int, object | ArticleFormatError]]:
    """Each non-empty line parsed as JSON, or the error (with line and column) if it is not."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as error:
            yield (
                number,
                ArticleFormatError(
                    f"{name}:{number}:{error.colno}: {error.msg}", line=number, column=error.colno
                ),
            )


def iter_article_lines(
    text: str, name: str = "articles.jsonl"
) -> Iterator[tuple[int, ArticleIn | ArticleFormatError]]:
    """Each JSON line as an article, or as the error that makes it none; one bad line does not
    spoil the others.
    """
    for number, fields in json_lines(text, name):
        if isinstance(fields, ArticleFormatError):
            yield number, fields
            continue
        if not isinstance(fields, dict):
            yield (
                number,
                ArticleFormatError(f"{name}:{number}: each line is one JSON object", line=number),
            )
            continue
        try:
            yield number, validate_article(fields, f"{name}:{number}")
        except ArticleFormatError as error:
            error.line = number
            yield number, error


def parse_article_lines(text: str, name: str = "articles.jsonl") -> list[ArticleIn]:
    """Articles from JSON lines, one object per line with the front-matter keys plus ``text``.

    :raises ArticleFormatError: for the first bad line, naming it (and the column, for JSON).
    """
    articles = []
    for _, item in iter_article_lines(text, name):
        if isinstance(item, ArticleFormatError):
            raise item
        articles.append(item)
    return articles
