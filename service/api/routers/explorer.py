"""``/explore``: the company explorer, HTML pages for people over the REST lookups.

Each page is a template in ``static/explorer/`` with a few values filled in on the server (always
escaped); the data comes from ``/companies``, ``/relationships``, ``/domains`` and ``/sparql``,
fetched by the page's script. Nothing is loaded from another host (no CDN, fonts or scripts), so
the explorer works offline; a Content-Security-Policy tells the browser the same. Whether a
company or resource exists is checked here, so an unknown one is an HTTP 404 page, not an empty
page that says so. Reads, the pages and their assets included, follow ``require_reader``.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pyoxigraph import NamedNode

from service.api.deps import ContextDep
from service.api.routers.companies import LookupDep
from service.api.security import require_reader
from service.errors import InvalidParameter, NotFound
from service.lookup import CompanyRef
from service.namespaces import AG, PROV

router = APIRouter(prefix="/explore", tags=["explorer"])

STATIC = Path(__file__).resolve().parent.parent / "static" / "explorer"
#: The assets the pages load, and their media types; nothing else under STATIC is served.
ASSETS = {
    "explorer.css": "text/css; charset=utf-8",
    "explorer.js": "text/javascript; charset=utf-8",
    "company.js": "text/javascript; charset=utf-8",
    "resource.js": "text/javascript; charset=utf-8",
}
#: Only this server's own scripts, styles and data; no inline code; no framing.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",
}
#: Companies listed on the search page (the suggestions are fetched 8 at a time).
LIST_LIMIT = 200
_PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")

CompanyId = Annotated[
    str,
    PathParam(
        max_length=200,
        description="A company's slug (samsung-electronics) or Wikidata id (Q20718).",
        examples=["samsung-electronics"],
    ),
]


def _root(request: Request) -> str:
    """The path the app is mounted at (behind a proxy), which every link starts with."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def _fill(name: str, values: dict[str, str], html: dict[str, str] | None = None) -> str:
    """The template ``name`` with each ``{{KEY}}`` replaced, in one pass: ``values`` escaped,
    ``html`` (markup built here from escaped parts) as is."""
    template = (STATIC / name).read_text(encoding="utf-8")
    escaped = {key: escape(value, quote=True) for key, value in values.items()}
    escaped.update(html or {})
    return _PLACEHOLDER.sub(lambda match: escaped[match.group(1)], template)


def _page(
    request: Request,
    name: str,
    title: str,
    values: dict[str, str] | None = None,
    html: dict[str, str] | None = None,
    *,
    query: str = "",
    status: int = 200,
) -> HTMLResponse:
    """A page: its template inside the shared layout (header with the search box)."""
    root = _root(request)
    body = _fill(name, {"ROOT": root, **(values or {})}, html)
    layout = _fill(
        "layout.html",
        {"ROOT": root, "TITLE": title, "QUERY": query, "PAGE": name.removesuffix(".html")},
        {"BODY": body},
    )
    return HTMLResponse(layout, status_code=status, headers=_HEADERS)


def _error(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return _page(
        request,
        "error.html",
        title,
        {"STATUS": str(status), "HEADING": title, "MESSAGE": message},
        status=status,
    )


def _display_name(ref: CompanyRef) -> str:
    return ref.label.get("en") or ref.label.get("ko") or ref.id


def _names_html(ref: CompanyRef) -> str:
    """The company's English and Korean names, each marked with its language."""
    en, ko = ref.label.get("en"), ref.label.get("ko")
    parts = []
    if en:
        parts.append(f'<span lang="en">{escape(en)}</span>')
    if ko and ko != en:
        parts.append(f'<span lang="ko" class="secondary">{escape(ko)}</span>')
    return " ".join(parts) or f"<span>{escape(ref.id)}</span>"


def _company_items(root: str, refs: list[CompanyRef]) -> str:
    items = []
    for ref in refs:
        href = f"{root}/explore/company/{quote(ref.id, safe='')}"
        items.append(f'<li><a href="{escape(href)}">{_names_html(ref)}</a></li>')
    return "\n".join(items)


def company_query(iri: str) -> str:
    """SPARQL for "this data": the company, its relationships, their evidence and sources."""
    node = str(NamedNode(iri))
    return f"""PREFIX ag: <{AG}>
PREFIX prov: <{PROV}>
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ BIND ({node} AS ?s) }}
  UNION {{
    ?relationship ag:participant|ag:member|ag:alliance {node} ;
                  (prov:qualifiedDerivation|prov:wasDerivedFrom)? ?s .
  }}
  ?s ?p ?o .
}}"""


@router.get("", response_class=HTMLResponse, summary="The explorer: search companies by name")
def search_page(
    request: Request,
    context: ContextDep,
    lookup: LookupDep,
    q: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """A search box with suggestions as you type; without script, ``?q=`` lists the matches."""
    require_reader(request, context.settings)
    root = _root(request)
    query = (q or "").strip()
    page = lookup.search(query or None, limit=LIST_LIMIT)
    if query:
        heading = f"Companies matching “{query}”"
        empty = "No company has that name. 일치하는 회사가 없습니다."
    else:
        heading = "All companies · 전체 회사"
        empty = "No companies are loaded yet."
    items = _company_items(root, page.items) or f'<li class="empty">{escape(empty)}</li>'
    total = f"{page.total} found."
    if page.total > len(page.items):
        total += f" The first {len(page.items)} are listed; a longer name narrows the list."
    return _page(
        request,
        "search.html",
        query or "Search",
        {"HEADING": heading, "TOTAL": total},
        {"ITEMS": items},
        query=query,
    )


@router.get(
    "/company/{company}",
    response_class=HTMLResponse,
    summary="A company's page: names, partners as a network, timeline, sources and evidence",
    responses={404: {"description": "No such company (an HTML page)."}},
)
def company_page(
    request: Request, context: ContextDep, lookup: LookupDep, company: CompanyId
) -> Response:
    require_reader(request, context.settings)
    try:
        iri = lookup.company_iri(company)
    except (NotFound, InvalidParameter):
        return _error(
            request,
            404,
            "No such company",
            f"No company {company!r} is known here. Search for it by name above.",
        )
    slug = iri.removeprefix(lookup.base_iri + "org/")
    if slug == iri:  # a Wikidata id linked to something that is no company of ours
        return _error(request, 404, "No such company", f"{company!r} names no company here.")
    root = _root(request)
    if slug != company:  # a QID: the page lives at the slug
        return RedirectResponse(f"{root}/explore/company/{quote(slug, safe='')}", status_code=303)
    ref = lookup.refs([iri])[iri]
    sparql = "/sparql?" + urlencode({"query": company_query(iri)})
    return _page(
        request,
        "company.html",
        _display_name(ref) + (f" · {ref.label['ko']}" if ref.label.get("ko") else ""),
        {
            "SLUG": slug,
            "IRI": iri,
            "SPARQL_HREF": root + sparql,
            "SPARQL_QUERY": company_query(iri),
        },
        {"NAMES": _names_html(ref)},
    )


@router.get(
    "/resource",
    response_class=HTMLResponse,
    summary="What the graph says about one instance IRI (relationship, source, event, person)",
    responses={
        400: {"description": "An IRI outside the instance base (an HTML page)."},
        404: {"description": "Nothing is known about it (an HTML page)."},
    },
)
def resource_page(
    request: Request,
    context: ContextDep,
    lookup: LookupDep,
    iri: Annotated[str, Query(max_length=2000, description="An IRI under the instance base.")],
) -> Response:
    require_reader(request, context.settings)
    base = context.settings.base_iri
    if not iri.startswith(base):
        return _error(
            request, 400, "Not an instance IRI", f"Only IRIs under {base} are shown here."
        )
    try:
        node = NamedNode(iri)
    except ValueError:
        return _error(request, 400, "Not an IRI", "The iri parameter is not a valid IRI.")
    local = iri.removeprefix(base)
    if local.startswith("org/"):
        try:
            lookup.company_iri(local.removeprefix("org/"))
        except (NotFound, InvalidParameter):
            pass
        else:
            slug = quote(local.removeprefix("org/"), safe="")
            target = f"{_root(request)}/explore/company/{slug}"
            return RedirectResponse(target, status_code=303)
    known = lookup.store.query(f"ASK {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }}")
    if not bool(known):
        return _error(request, 404, "Nothing known", f"Nothing is known about <{iri}>.")
    sparql = "/sparql?" + urlencode({"query": f"DESCRIBE {node}"})
    root = _root(request)
    return _page(
        request,
        "resource.html",
        local,
        {"IRI": iri, "BASE": base, "LOCAL": local, "SPARQL_HREF": root + sparql},
    )


@router.get("/static/{name}", include_in_schema=False)
def asset(
    request: Request,
    context: ContextDep,
    name: Annotated[str, PathParam(max_length=40, pattern=r"^[a-z]+\.(css|js)$")],
) -> Response:
    """The explorer's stylesheet and scripts (a fixed list: nothing else is served)."""
    require_reader(request, context.settings)
    media_type = ASSETS.get(name)
    if media_type is None:
        raise NotFound(f"no explorer asset {name!r}")
    return FileResponse(
        STATIC / name,
        media_type=media_type,
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )
