"""REST lookups by company (``/companies``, ``/relationships``, ``/domains``) and dereferenceable
IRIs (``/id/...``).

JSON by default; JSON-LD (``application/ld+json``, with the context published at
``/context.jsonld``) and Turtle on ``Accept``. Lists are paged with ``limit``/``offset`` and
``Link`` headers; every answer has an ETag (the store's generation and the request), so clients
can revalidate with ``If-None-Match``.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from pyoxigraph import NamedNode, QueryTriples, RdfFormat, serialize

from service.api.deps import ContextDep
from service.api.security import require_reader
from service.conneg import negotiate
from service.context import ServiceContext
from service.errors import InvalidParameter, NotFound
from service.lookup import (
    PARTNER_RELATIONSHIPS,
    CompanyDetail,
    CompanyPage,
    DomainCompanies,
    DomainOut,
    Filters,
    Lookup,
    PartnersOut,
    RelationshipPage,
    parse_day,
)
from service.namespaces import AG, PROV, RDFS, SCHEMA, SKOS

router = APIRouter(tags=["companies"])

JSON_TYPE = "application/json"
JSONLD_TYPE = "application/ld+json"
TURTLE_TYPE = "text/turtle"
NTRIPLES_TYPE = "application/n-triples"
HTML_TYPE = "text/html"
_RDF_FORMATS = {
    TURTLE_TYPE: RdfFormat.TURTLE,
    NTRIPLES_TYPE: RdfFormat.N_TRIPLES,
    JSONLD_TYPE: RdfFormat.JSON_LD,
}

CONTEXT: dict[str, Any] = {
    "@context": {
        "@vocab": AG,
        "ag": AG,
        "schema": SCHEMA,
        "prov": PROV,
        "skos": SKOS,
        "rdfs": RDFS,
        "iri": "@id",
        "id": "schema:identifier",
        "label": {"@id": "rdfs:label", "@container": "@language"},
        "wikidata": {
            "@id": "skos:exactMatch",
            "@type": "@vocab",
            "@context": {"@vocab": "http://www.wikidata.org/entity/"},
        },
        "country": {
            "@id": "ag:country",
            "@type": "@vocab",
            "@context": {"@vocab": "http://www.wikidata.org/entity/"},
        },
        "type": "@type",
        "participants": {"@id": "ag:participant", "@type": "@id"},
        "domains": "ag:domain",
        "announcedOn": {"@id": "ag:announcedOn", "@type": "http://www.w3.org/2001/XMLSchema#date"},
        "datePrecision": "ag:datePrecision",
        "event": "ag:announcedAt",
        "status": "ag:status",
        "sources": "prov:wasDerivedFrom",
        "evidence": "prov:qualifiedDerivation",
        "quote": "ag:quote",
        "confidence": "ag:confidence",
        "url": {"@id": "schema:url", "@type": "@id"},
        "title": "schema:headline",
        "publisher": "schema:publisher",
        "published": "schema:datePublished",
        "company": "schema:about",
        "partners": "ag:partnerOf",
        "relationships": "ag:relationship",
        "items": "@graph",
        "total": "schema:numberOfItems",
        "companies": "schema:member",
        "domain": "schema:about",
        "tag": "skos:notation",
    }
}


def get_lookup(request: Request, context: ContextDep) -> Lookup:
    """The lookup service of the app, made on first use."""
    lookup = getattr(request.app.state, "lookup", None)
    if not isinstance(lookup, Lookup) or lookup.store is not context.store:
        lookup = Lookup(context.store, context.settings.base_iri, context.graphs)
        request.app.state.lookup = lookup
    return lookup


LookupDep = Annotated[Lookup, Depends(get_lookup)]
Limit = Annotated[int, Query(ge=1, le=500, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")]
CompanyId = Annotated[
    str,
    Path(
        max_length=200,
        description="A company's slug (samsung-electronics) or Wikidata id (Q20718).",
        examples=["samsung-electronics"],
    ),
]
Text = Annotated[str | None, Query(max_length=500)]


def _etag(context: ServiceContext, request: Request) -> str:
    # The raw path: a decoded one can hide characters ("%0A") that make another request.
    raw = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string") or b""
    key = f"{context.store.generation}|{raw!r}|{query!r}|{request.headers.get('accept', '')}"
    return 'W/"' + hashlib.sha256(key.encode()).hexdigest()[:24] + '"'


class ResponseCache:
    """Rendered answers by ETag (the store's generation, the URL and the Accept header): a
    popular company's page is computed once per version of the store. Bounded, thread-safe."""

    def __init__(self, entries: int = 4096, max_body: int = 1 << 20) -> None:
        self._entries = entries
        self._max_body = max_body
        self._items: OrderedDict[str, tuple[bytes, str, dict[str, str]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, etag: str) -> tuple[bytes, str, dict[str, str]] | None:
        with self._lock:
            hit = self._items.get(etag)
            if hit is not None:
                self._items.move_to_end(etag)
            return hit

    def put(self, etag: str, body: bytes, media_type: str, headers: dict[str, str]) -> None:
        if len(body) > self._max_body:
            return
        with self._lock:
            self._items[etag] = (body, media_type, headers)
            self._items.move_to_end(etag)
            while len(self._items) > self._entries:
                self._items.popitem(last=False)


def _cache(request: Request) -> ResponseCache:
    cache = getattr(request.app.state, "response_cache", None)
    if not isinstance(cache, ResponseCache):
        cache = ResponseCache()
        request.app.state.response_cache = cache
    return cache


def cached(request: Request, context: ServiceContext) -> Response | None:
    """A 304 or a stored answer for this request, if there is one (before any work).

    The ETag is taken once, here, before the answer is computed, and ``_answer`` reuses it:
    an answer computed while a write lands is then filed under the older version, which the
    write has already made stale, never under the newer one.
    """
    etag = request.state.etag = _etag(context, request)
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers={"ETag": etag, "Vary": "Accept"})
    hit = _cache(request).get(etag)
    if hit is None:
        return None
    body, media_type, headers = hit
    return Response(body, media_type=media_type, headers=headers)


def _answer(
    request: Request,
    context: ContextDep,
    model: BaseModel | list[Any],
    *,
    iris: list[str] | None = None,
    lookup: Lookup | None = None,
    links: dict[str, str] | None = None,
) -> Response:
    """The representation the client asks for, with ETag and Link headers."""
    etag = getattr(request.state, "etag", None) or _etag(context, request)
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept"}
    if links:
        headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    offers = [JSON_TYPE, JSONLD_TYPE] + ([TURTLE_TYPE, NTRIPLES_TYPE] if iris is not None else [])
    media = negotiate(request.headers.get("accept"), offers)
    data = (
        [m.model_dump() if isinstance(m, BaseModel) else m for m in model]
        if isinstance(model, list)
        else model.model_dump()
    )
    if media == JSONLD_TYPE:
        context_url = public(request, context, "/context.jsonld")
        if isinstance(data, dict):
            body: dict[str, Any] = {"@context": context_url, **data}
        else:
            body = {"@context": context_url, "@graph": data}
        return _store(request, etag, JSONResponse(body, media_type=JSONLD_TYPE, headers=headers))
    if media in _RDF_FORMATS and iris is not None and lookup is not None:
        graph = lookup.store.query(
            "CONSTRUCT { ?s ?p ?o } WHERE { VALUES ?s { "
            + " ".join(str(NamedNode(i)) for i in sorted(set(iris)))
            + " } ?s ?p ?o }"
        )
        text = _serialize(graph, _RDF_FORMATS[media])
        return _store(request, etag, Response(text, media_type=media, headers=headers))
    return _store(request, etag, JSONResponse(data, headers=headers))


def _store(request: Request, etag: str, response: Response) -> Response:
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    _cache(request).put(etag, bytes(response.body), response.media_type or JSON_TYPE, headers)
    return response


def _serialize(result: object, rdf_format: RdfFormat) -> str:
    if not isinstance(result, QueryTriples):
        raise TypeError("a CONSTRUCT query answers triples")
    return (serialize(result, format=rdf_format) or b"").decode("utf-8")


def public(request: Request, context: ServiceContext, path: str) -> str:
    """An absolute URL of this service: under ``ALLIANCEGRAPH_PUBLIC_URL`` when set (behind a
    proxy), else under the request's own host."""
    base = context.settings.public_url
    if base:
        return base.rstrip("/") + path
    return str(request.base_url).rstrip("/") + path


def _page_links(
    request: Request, context: ServiceContext, total: int, limit: int, offset: int
) -> dict[str, str]:
    params = dict(request.query_params)
    links = {}

    def url(at: int) -> str:
        query = urlencode({**params, "offset": at, "limit": limit})
        return public(request, context, f"{request.url.path}?{query}")

    links["first"] = url(0)
    if offset + limit < total:
        links["next"] = url(offset + limit)
    if offset > 0:
        links["prev"] = url(max(0, offset - limit))
    links["last"] = url(max(0, ((total - 1) // limit) * limit) if total else 0)
    return links


def _filters(
    lookup: Lookup, domain: str | None, kind: str | None, since: str | None, until: str | None
) -> Filters:
    start, end = parse_day(since, "since"), parse_day(until, "until", last=True)
    if start and end and start > end:
        raise InvalidParameter("since is after until")
    return Filters(
        domain=lookup.domain_iri(domain) if domain else None,
        type=lookup.type_iri(kind) if kind else None,
        since=start,
        until=end,
    )


@router.get("/context.jsonld", name="jsonld_context", summary="The JSON-LD context of answers")
def jsonld_context() -> JSONResponse:
    return JSONResponse(CONTEXT, media_type=JSONLD_TYPE)


@router.get(
    "/companies",
    response_model=CompanyPage,
    summary="Search companies by any name, in Korean or English",
    responses={200: {"content": {JSONLD_TYPE: {}}}},
)
def companies(
    request: Request,
    context: ContextDep,
    lookup: LookupDep,
    q: Text = None,
    country: Annotated[str | None, Query(max_length=20, examples=["Q884"])] = None,
    domain: Annotated[str | None, Query(max_length=64, examples=["XR"])] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Response:
    """Exact names first, then prefixes, then similar names; names are compared without case,
    spacing or legal forms (삼성, "samsung electronics", "LG Electronics Inc.")."""
    require_reader(request, context.settings)
    if (hit := cached(request, context)) is not None:
        return hit
    page = lookup.search(q, country=country, domain=domain, limit=limit, offset=offset)
    links = _page_links(request, context, page.total, limit, offset)
    return _answer(request, context, page, links=links)


@router.get(
    "/companies/{company}",
    response_model=CompanyDetail,
    summary="One company: names, Wikidata facts, parent, subsidiaries, alliances, relationships",
    responses={404: {"description": "No such company (problem+json)."}},
)
def company(
    request: Request, context: ContextDep, lookup: LookupDep, company: CompanyId
) -> Response:
    require_reader(request, context.settings)
    if (hit := cached(request, context)) is not None:
        return hit
    detail = lookup.detail(company)
    return _answer(request, context, detail, iris=[detail.company.iri], lookup=lookup)


@router.get(
    "/companies/{company}/partners",
    response_model=PartnersOut,
    summary="A company's partners, each with the relationships they share",
)
def partners(
    request: Request,
    context: ContextDep,
    lookup: LookupDep,
    company: CompanyId,
    domain: Annotated[str | None, Query(max_length=64)] = None,
    type: Annotated[str | None, Query(max_length=64, examples=["Partnership"])] = None,
    since: Annotated[str | None, Query(max_length=10, examples=["2024-01"])] = None,
    until: Annotated[str | None, Query(max_length=10)] = None,
    limit: Limit = 20,
    offset: Offset = 0,
    per_partner: Annotated[
        int, Query(ge=0, le=100, description="Shared relationships listed per partner.")
    ] = PARTNER_RELATIONSHIPS,
) -> Response:
    """The partners sharing the most relationships first, one page of them, each with the
    most recent relationships they share (``relationshipsTotal`` counts them all; the rest:
    ``/relationships?company=…&partner=…``)."""
    require_reader(request, context.settings)
    if (hit := cached(request, context)) is not None:
        return hit
    filters = _filters(lookup, domain, type, since, until)
    answer = lookup.partners(company, filters, limit=limit, offset=offset, per_partner=per_partner)
    iris = [r.iri for p in answer.partners for r in p.relationships]
    links = _page_links(request, context, answer.total, limit, offset)
    return _answer(request, context, answer, iris=iris, lookup=lookup, links=links)


@router.get(
    "/relationships",
    response_model=RelationshipPage,
    summary="Relationships, newest first, by company, domain, type and date",
)
def relationships(
    request: Request,
    context: ContextDep,
    lookup: LookupDep,
    company: Annotated[str | None, Query(max_length=200)] = None,
    partner: Annotated[
        str | None,
        Query(max_length=200, description="With company: the relationships the two share."),
    ] = None,
    domain: Annotated[str | None, Query(max_length=64)] = None,
    type: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[str | None, Query(max_length=10)] = None,
    until: Annotated[str | None, Query(max_length=10)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Response:
    require_reader(request, context.settings)
    if (hit := cached(request, context)) is not None:
        return hit
    filters = _filters(lookup, domain, type, since, until)
    if partner and not company:
        raise InvalidParameter("partner needs company: the relationships two companies share")
    iri = lookup.company_iri(company) if company else None
    other = lookup.company_iri(partner) if partner else None
    page = lookup.relationships(
        company=iri, partner=other, filters=filters, limit=limit, offset=offset
    )
    links = _page_links(request, context, page.total, limit, offset)
    iris = [r.iri for r in page.items]
    return _answer(request, context, page, iris=iris, lookup=lookup, links=links)


@router.get(
    "/domains", response_model=list[DomainOut], summary="Technology domains with their counts"
)
def domains(request: Request, context: ContextDep, lookup: LookupDep) -> Response:
    require_reader(request, context.settings)
    if (hit := cached(request, context)) is not None:
        return hit
    return _answer(request, context, list(lookup.domains()))


@router.get(
    "/domains/{tag}/companies",
    response_model=DomainCompanies,
    summary="The companies with relationships in one technology domain",
)
def domain_companies(
    request: Request,
    context: ContextDep,
    lookup: LookupDep,
    tag: Annotated[str, Path(max_length=64, examples=["XR"])],
) -> Response:
    require_reader(request, context.settings)
    if (hit := cached(request, context)) is not None:
        return hit
    return _answer(request, context, lookup.domain_companies(tag))


@router.get(
    "/id/{kind}/{name}",
    summary="Dereference an instance IRI: RDF by content negotiation, the explorer for browsers",
    responses={303: {"description": "A browser is sent to the explorer's page."}},
)
def dereference(
    request: Request,
    context: ContextDep,
    lookup: LookupDep,
    kind: Annotated[str, Path(pattern=r"^(org|rel|source|event|person|evidence)$")],
    name: Annotated[str, Path(max_length=200, pattern=r"^[A-Za-z0-9._~-]+$")],
) -> Response:
    require_reader(request, context.settings)
    iri = f"{context.settings.base_iri}{kind}/{name}"
    described = lookup.store.query(f"ASK {{ {NamedNode(iri)} ?p ?o }}")
    if not bool(described):
        raise NotFound(f"nothing is known about <{iri}>")
    offers = [TURTLE_TYPE, JSONLD_TYPE, NTRIPLES_TYPE, HTML_TYPE]
    media = negotiate(request.headers.get("accept"), offers)
    if media == HTML_TYPE:
        if kind == "org":
            target = f"/explore/company/{name}"
        else:
            target = "/explore/resource?" + urlencode({"iri": iri})
        return RedirectResponse(target, status_code=303)
    graph = lookup.store.query(
        f"CONSTRUCT {{ {NamedNode(iri)} ?p ?o }} WHERE {{ {NamedNode(iri)} ?p ?o }}"
    )
    etag = _etag(context, request)
    headers = {"ETag": etag, "Vary": "Accept", "Cache-Control": "no-cache"}
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    rdf_format = _RDF_FORMATS.get(media, RdfFormat.TURTLE)
    text = _serialize(graph, rdf_format)
    media_type = media if media in _RDF_FORMATS else TURTLE_TYPE
    return Response(text, media_type=media_type, headers=headers)
