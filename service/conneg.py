"""Content negotiation on ``Accept`` with q-values (RFC 9110, section 12.5.1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from service.errors import NotAcceptable


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    q: float
    order: int

    def matches(self, media_type: str) -> bool:
        offered_type, _, offered_subtype = media_type.partition("/")
        return self.type in ("*", offered_type) and self.subtype in ("*", offered_subtype)

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*")


def _parse(accept: str) -> list[_Range]:
    ranges = []
    for order, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        if "/" not in media:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        kind, _, subtype = media.lower().partition("/")
        ranges.append(_Range(kind, subtype, q, order))
    return ranges


def negotiate(accept: str | None, offered: Sequence[str]) -> str:
    """The offered media type the client prefers; the first offered one if ``Accept`` is absent.

    Each offered type gets the q of the most specific range that matches it; ties go to the
    order of ``offered`` (the server's preference).

    >>> negotiate("text/csv;q=0.5, application/sparql-results+json", ["text/csv",
    ...     "application/sparql-results+json"])
    'application/sparql-results+json'
    >>> negotiate("*/*", ["text/turtle", "application/n-triples"])
    'text/turtle'
    >>> negotiate(None, ["text/turtle"])
    'text/turtle'

    :raises NotAcceptable: if every offered type has q = 0.
    """
    if not accept or not accept.strip():
        return offered[0]
    if (alone := accept.strip().lower()) in offered:  # one offered type, no q: the usual case
        return alone
    ranges = _parse(accept)
    best: tuple[float, int] | None = None
    chosen = None
    for index, media_type in enumerate(offered):
        matching = [r for r in ranges if r.matches(media_type)]
        if not matching:
            continue
        top = max(matching, key=lambda r: (r.specificity, -r.order))
        if top.q <= 0:
            continue
        key = (top.q, -index)
        if best is None or key > best:
            best, chosen = key, media_type
    if chosen is None:
        raise NotAcceptable(
            f"none of the available formats is acceptable: {', '.join(offered)} (Accept: {accept})"
        )
    return chosen


def accepts(accept: str | None, media_type: str) -> bool:
    """Whether the client names ``media_type`` (or its type wildcard) with q > 0, explicitly.

    >>> accepts("text/html,application/xhtml+xml,*/*;q=0.8", "text/html")
    True
    >>> accepts("*/*", "text/html")
    False
    """
    kind = media_type.partition("/")[0]
    return any(
        r.q > 0 and r.type == kind and r.subtype in ("*", media_type.partition("/")[2])
        for r in _parse(accept or "")
    )
