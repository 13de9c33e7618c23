"""Structured records as sources: rows that state a firm, a partnership, a membership or a joint
venture with names instead of IRIs, and the URL of the source they come from.

Records are grouped by ``source_url``; each URL becomes one source graph (``ag:Source`` with that
``schema:url``), validated and committed like an article's. A record's own text is its evidence
(marked as a restatement), unless it quotes the source.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from service.errors import ArticleFormatError
from service.ingest.articles import json_lines

KINDS = {
    "partnership": "Partnership",
    "mou": "MemorandumOfUnderstanding",
    "co_development": "CoDevelopment",
    "supply_agreement": "SupplyAgreement",
    "joint_venture": "JointVentureAgreement",
    "investment": "Investment",
    "meeting": "Meeting",
    "membership": "AllianceMembership",
}
_LIST_FIELDS = ("participants", "domains", "aliases")


class RecordIn(BaseModel):
    """One structured record. ``kind`` says what it states."""

    kind: Literal[
        "firm",
        "partnership",
        "mou",
        "co_development",
        "supply_agreement",
        "joint_venture",
        "investment",
        "meeting",
        "membership",
    ]
    source_url: str = Field(description="The source the record comes from (http or https).")
    source_title: str | None = None
    published: dt.date | None = None
    participants: list[str] = Field(default_factory=list, description="Organization names.")
    member: str | None = None
    alliance: str | None = None
    joint_venture: str | None = Field(default=None, description="Name of the JV company.")
    domains: list[str] = Field(default_factory=list, description="Technology-domain tags.")
    date: str | None = Field(default=None, description="YYYY, YYYY-MM or YYYY-MM-DD.")
    status: Literal["Speculated", "Announced", "Signed", "Active", "Ended"] = "Announced"
    quote: str | None = Field(default=None, description="The source's own words, if quoted.")
    confidence: float = Field(default=0.9, ge=0, le=1)
    name: str | None = Field(default=None, description="Firm records: the English name.")
    name_ko: str | None = None
    aliases: list[str] = Field(default_factory=list)
    country: str | None = Field(default=None, pattern=r"^Q[1-9][0-9]*$")
    wikidata: str | None = Field(default=None, pattern=r"^Q[1-9][0-9]*$")
    parent: str | None = Field(default=None, description="Firm records: the parent's name.")

    @field_validator("source_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or any(c.isspace() for c in value):
            raise ValueError("source_url must be an http(s) URL without spaces")
        return value

    def check_shape(self) -> None:
        """:raises ValueError: when the fields do not fit the kind."""
        if self.kind == "firm":
            if not (self.name or self.name_ko):
                raise ValueError("a firm record needs a name or name_ko")
        elif self.kind == "membership":
            if not (self.member and self.alliance):
                raise ValueError("a membership record needs member and alliance")
        elif len({p.strip() for p in self.participants if p.strip()}) < 2:
            raise ValueError(f"a {self.kind} record needs two or more distinct participants")

    def restatement(self) -> str:
        """The record as a sentence, its evidence when it quotes nothing."""
        if self.kind == "membership":
            return f"Record: {self.member} is a member of {self.alliance}."
        return f"Record: {self.kind.replace('_', ' ')} between {', '.join(self.participants)}."


def validate_record(fields: object, where: str) -> RecordIn:
    """:raises ArticleFormatError: saying which fields are wrong, prefixed by ``where``."""
    try:
        record = RecordIn.model_validate(fields)
        record.check_shape()
        return record
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'record'}: {e['msg']}" for e in error.errors()
        )
        raise ArticleFormatError(f"{where}: {problems}") from None
    except ValueError as error:
        raise ArticleFormatError(f"{where}: {error}") from None


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, object]]]:
    reader = csv.DictReader(io.StringIO(text))
    for row in reader:
        fields: dict[str, object] = {}
        for key, value in row.items():
            if key is None or value is None or value.strip() == "":
                continue
            key = key.strip()
            fields[key] = (
                [v.strip() for v in value.split(";") if v.strip()]
                if key in _LIST_FIELDS
                else value.strip()
            )
        yield reader.line_num, fields


def iter_records(
    text: str, media: str, name: str = "records"
) -> Iterator[tuple[int, RecordIn | ArticleFormatError]]:
    """Each record of a JSON document (object or list), JSON lines or CSV, or its error.

    :param media: ``json``, ``jsonl`` or ``csv``.
    """
    if media == "csv":
        for number, fields in _csv_rows(text):
            try:
                yield number, validate_record(fields, f"{name}:{number}")
            except ArticleFormatError as error:
                error.line = number
                yield number, error
        return
    if media == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            yield (
                error.lineno,
                ArticleFormatError(
                    f"{name}:{error.lineno}:{error.colno}: {error.msg}",
                    line=error.lineno,
                    column=error.colno,
                ),
            )
            return
        for number, item in enumerate(data if isinstance(data, list) else [data], start=1):
            try:
                yield number, validate_record(item, f"{name}: record {number}")
            except ArticleFormatError as error:
                yield number, error
        return
    for number, item in json_lines(text, name):
        if isinstance(item, ArticleFormatError):
            yield number, item
            continue
        try:
            yield number, validate_record(item, f"{name}:{number}")
        except ArticleFormatError as error:
            error.line = number
            yield number, error
