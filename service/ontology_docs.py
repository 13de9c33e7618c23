"""An HTML documentation page of the ontology, generated from the Turtle (no CDN, no scripts)."""

from __future__ import annotations

from html import escape

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from service.namespaces import AG, AG_ONTOLOGY, PREFIXES
from service.ontology import OntologyBundle

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{margin-bottom:.2rem} table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}
th{background:#f4f4f4} code{font-size:.9em} .ko{color:#555} .alt{color:#666;font-size:.85em}
nav a{margin-right:1rem}
"""


def _curie(node: rdflib.term.Node) -> str:
    text = str(node)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{prefix}:{text[len(namespace) :]}"
    return text


def _link(node: rdflib.term.Node) -> str:
    text = str(node)
    if text.startswith(AG):
        local = text[len(AG) :]
        return f'<a href="#{escape(local)}"><code>ag:{escape(local)}</code></a>'
    if isinstance(node, rdflib.URIRef):
        return f'<a href="{escape(text)}"><code>{escape(_curie(node))}</code></a>'
    return escape(text)


def _label(graph: rdflib.Graph, node: rdflib.term.Node, predicate: rdflib.URIRef, lang: str) -> str:
    for value in graph.objects(node, predicate):
        if isinstance(value, rdflib.Literal) and value.language == lang:
            return str(value)
    return ""


def _terms(graph: rdflib.Graph, kind: rdflib.URIRef) -> list[rdflib.URIRef]:
    return sorted(
        (t for t in graph.subjects(RDF.type, kind) if isinstance(t, rdflib.URIRef)),
        key=str,
    )


def _term_rows(
    graph: rdflib.Graph, terms: list[rdflib.URIRef], relations: dict[str, list[rdflib.URIRef]]
) -> str:
    rows = []
    for term in terms:
        local = str(term)[len(AG) :] if str(term).startswith(AG) else _curie(term)
        details = []
        for name, predicates in relations.items():
            values = sorted({v for p in predicates for v in graph.objects(term, p)}, key=str)
            if values:
                details.append(f"{name}: " + ", ".join(_link(v) for v in values))
        rows.append(
            f'<tr id="{escape(local)}"><td><code>ag:{escape(local)}</code></td>'
            f"<td>{escape(_label(graph, term, RDFS.label, 'en'))}<br>"
            f'<span class="ko">{escape(_label(graph, term, RDFS.label, "ko"))}</span></td>'
            f"<td>{escape(_label(graph, term, SKOS.definition, 'en'))}"
            + ("<br>" + "<br>".join(details) if details else "")
            + "</td></tr>"
        )
    return (
        "<table><tr><th>term</th><th>label (en / ko)</th><th>definition</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _scheme_section(graph: rdflib.Graph, scheme: rdflib.URIRef) -> str:
    concepts = sorted(graph.subjects(SKOS.inScheme, scheme), key=str)
    rows = []
    for concept in concepts:
        notation = next(iter(graph.objects(concept, SKOS.notation)), "")
        alt = sorted(str(a) for a in graph.objects(concept, SKOS.altLabel))
        broader = ", ".join(_link(b) for b in sorted(graph.objects(concept, SKOS.broader), key=str))
        match = ", ".join(_link(m) for m in graph.objects(concept, SKOS.exactMatch))
        rows.append(
            f"<tr><td><code>{escape(str(notation))}</code><br>{_link(concept)}</td>"
            f"<td>{escape(_label(graph, concept, SKOS.prefLabel, 'en'))}<br>"
            f'<span class="ko">{escape(_label(graph, concept, SKOS.prefLabel, "ko"))}</span>'
            f'<div class="alt">{escape(" · ".join(alt))}</div></td>'
            f"<td>{escape(_label(graph, concept, SKOS.definition, 'en'))}"
            + (f"<br>broader: {broader}" if broader else "")
            + (f"<br>Wikidata: {match}" if match else "")
            + "</td></tr>"
        )
    title = _label(graph, scheme, SKOS.prefLabel, "en") or _curie(scheme)
    return (
        f'<h3 id="{escape(_curie(scheme))}">{escape(title)} <code>{escape(_curie(scheme))}</code>'
        f"</h3><p>{escape(_label(graph, scheme, SKOS.definition, 'en'))}</p>"
        "<table><tr><th>concept</th><th>labels (en / ko / alternative)</th><th>definition</th>"
        "</tr>" + "".join(rows) + "</table>"
    )


def render_ontology_html(bundle: OntologyBundle) -> str:
    """The documentation page: header, classes, properties and the SKOS schemes."""
    graph = bundle.rdflib_graph
    ontology = rdflib.URIRef(AG_ONTOLOGY)
    relations_class = {"subclass of": [RDFS.subClassOf], "aligned to": [SKOS.closeMatch]}
    relations_property = {
        "domain": [RDFS.domain],
        "range": [RDFS.range],
        "characteristics": [RDF.type],
        "inverse of": [OWL.inverseOf],
        "aligned to": [SKOS.closeMatch, RDFS.subPropertyOf],
    }
    object_properties = _terms(graph, OWL.ObjectProperty)
    datatype_properties = _terms(graph, OWL.DatatypeProperty)
    schemes = _terms(graph, SKOS.ConceptScheme)
    title = _label(graph, ontology, RDFS.label, "en")
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1><p class='ko'>{escape(_label(graph, ontology, RDFS.label, 'ko'))}"
        f"</p><p><code>{escape(AG_ONTOLOGY)}</code> · version {escape(bundle.version)} · "
        f"namespace <code>{escape(AG)}</code> (prefix <code>ag:</code>)</p>"
        f"<p>{escape(_label(graph, ontology, SKOS.definition, 'en'))}</p>"
        f"<pre>{escape(_label(graph, ontology, SKOS.changeNote, 'en'))}</pre>"
        "<nav><a href='#classes'>Classes</a><a href='#object-properties'>Object properties</a>"
        "<a href='#datatype-properties'>Datatype properties</a><a href='#schemes'>Schemes</a></nav>"
        "<h2 id='classes'>Classes</h2>"
        + _term_rows(
            graph, [c for c in _terms(graph, OWL.Class) if str(c).startswith(AG)], relations_class
        )
        + "<h2 id='object-properties'>Object properties</h2>"
        + _term_rows(graph, object_properties, relations_property)
        + "<h2 id='datatype-properties'>Datatype properties</h2>"
        + _term_rows(graph, datatype_properties, relations_property)
        + "<h2 id='schemes'>Concept schemes</h2>"
        + "".join(_scheme_section(graph, s) for s in schemes)
        + "</body></html>"
    )
