"""The derived graph: ``ag:partnerOf`` and ``ag:memberOf`` shortcuts, kept current incrementally.

Every commit recomputes the shortcuts of the organizations it touches (those the replaced graphs
mentioned before and those the new content mentions), from the graphs it does not replace plus
the new content, and changes the derived graph by exactly that difference in the same
transaction. So a retraction removes the edges only that source supported, and an edge two
sources support survives the retraction of one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from pyoxigraph import NamedNode, Quad, Triple

from service.namespaces import AG, RDF, GraphNames, sparql_prefixes
from service.store.port import GraphName, Store, solutions

PARTNER_OF = NamedNode(AG + "partnerOf")
MEMBER_OF = NamedNode(AG + "memberOf")
_PARTICIPANT = NamedNode(AG + "participant")
_MEMBER = NamedNode(AG + "member")
_ALLIANCE = NamedNode(AG + "alliance")
_TYPE = NamedNode(RDF + "type")
_PARTNERSHIP_KINDS = {
    AG + kind
    for kind in (
        "Partnership",
        "MemorandumOfUnderstanding",
        "CoDevelopment",
        "SupplyAgreement",
        "JointVentureAgreement",
    )
}
_PREFIXES = sparql_prefixes("ag", "rdfs")


def _values(nodes: Iterable[NamedNode]) -> str:
    return " ".join(str(n) for n in sorted(nodes, key=lambda n: n.value))


def _not_in(graphs: Iterable[GraphName]) -> str:
    named = [str(g) for g in graphs if isinstance(g, NamedNode)]
    return f"FILTER (?g NOT IN ({', '.join(named)}))" if named else ""


def organizations_in(triples: Iterable[Triple]) -> set[NamedNode]:
    """The organizations a graph's relationships name (participants, members, alliances)."""
    return {
        t.object
        for t in triples
        if t.predicate in (_PARTICIPANT, _MEMBER, _ALLIANCE) and isinstance(t.object, NamedNode)
    }


def _stored_organizations(store: Store, graph: GraphName) -> set[NamedNode]:
    if not isinstance(graph, NamedNode):
        return organizations_in(q.triple for q in store.quads(graph))
    rows = store.query(
        f"{_PREFIXES} SELECT DISTINCT ?o WHERE {{ GRAPH {graph} {{ "
        "?r ag:participant|ag:member|ag:alliance ?o } }"
    )
    return {row["o"] for row in solutions(rows) if isinstance(row["o"], NamedNode)}


def _edges_from(triples: Sequence[Triple], touched: set[NamedNode]) -> set[Triple]:
    kinds: dict[object, set[str]] = {}
    participants: dict[object, set[NamedNode]] = {}
    members: dict[object, NamedNode] = {}
    alliances: dict[object, NamedNode] = {}
    for t in triples:
        if t.predicate == _TYPE and isinstance(t.object, NamedNode):
            kinds.setdefault(t.subject, set()).add(t.object.value)
        elif t.predicate == _PARTICIPANT and isinstance(t.object, NamedNode):
            participants.setdefault(t.subject, set()).add(t.object)
        elif t.predicate == _MEMBER and isinstance(t.object, NamedNode):
            members[t.subject] = t.object
        elif t.predicate == _ALLIANCE and isinstance(t.object, NamedNode):
            alliances[t.subject] = t.object
    edges: set[Triple] = set()
    for rel, parties in participants.items():
        if kinds.get(rel, set()) & _PARTNERSHIP_KINDS:
            for a in parties & touched:
                edges |= {Triple(a, PARTNER_OF, b) for b in parties if b != a}
                edges |= {Triple(b, PARTNER_OF, a) for b in parties if b != a}
    for rel, member in members.items():
        alliance = alliances.get(rel)
        if alliance is not None and {member, alliance} & touched:
            edges.add(Triple(member, MEMBER_OF, alliance))
    return edges


def _stored_edges(
    store: Store, touched: set[NamedNode], replaced: Sequence[GraphName], derived: NamedNode
) -> set[Triple]:
    values = _values(touched)
    skip = _not_in([*replaced, derived])
    partners = store.query(
        f"""{_PREFIXES} SELECT DISTINCT ?a ?b WHERE {{
            VALUES ?a {{ {values} }}
            GRAPH ?g {{ ?r ag:participant ?a , ?b ; a ?kind }}
            ?kind rdfs:subClassOf* ag:Partnership .
            FILTER (?a != ?b) {skip}
        }}"""
    )
    edges: set[Triple] = set()
    for row in solutions(partners):
        edges.add(Triple(row["a"], PARTNER_OF, row["b"]))
        edges.add(Triple(row["b"], PARTNER_OF, row["a"]))
    memberships = store.query(
        f"""{_PREFIXES} SELECT DISTINCT ?m ?a WHERE {{
            VALUES ?o {{ {values} }}
            GRAPH ?g {{ ?r ag:member ?m ; ag:alliance ?a }}
            FILTER (?m = ?o || ?a = ?o) {skip}
        }}"""
    )
    edges |= {Triple(row["m"], MEMBER_OF, row["a"]) for row in solutions(memberships)}
    return edges


def _current_edges(store: Store, touched: set[NamedNode], derived: NamedNode) -> set[Triple]:
    values = _values(touched)
    # Two index lookups (subject, then object), not a scan of the whole derived graph.
    rows = store.query(
        f"""SELECT DISTINCT ?a ?p ?b WHERE {{
            {{ VALUES ?a {{ {values} }} GRAPH {derived} {{ ?a ?p ?b }} }}
            UNION
            {{ VALUES ?b {{ {values} }} GRAPH {derived} {{ ?a ?p ?b }} }}
        }}"""
    )
    return {Triple(row["a"], row["p"], row["b"]) for row in solutions(rows)}


def derived_delta(
    store: Store, candidates: Mapping[GraphName, Sequence[Triple]], graphs: GraphNames
) -> tuple[list[Quad], list[Quad]]:
    """The quads to remove from and add to the derived graph for a write of ``candidates``."""
    touched: set[NamedNode] = set()
    for graph, triples in candidates.items():
        touched |= _stored_organizations(store, graph) | organizations_in(triples)
    if not touched:
        return [], []
    wanted = _stored_edges(store, touched, list(candidates), graphs.derived)
    for triples in candidates.values():
        wanted |= _edges_from(triples, touched)
    current = _current_edges(store, touched, graphs.derived)
    derived = graphs.derived
    remove = [Quad(t.subject, t.predicate, t.object, derived) for t in current - wanted]
    add = [Quad(t.subject, t.predicate, t.object, derived) for t in wanted - current]
    return remove, add
