"""The derived graph: ``ag:partnerOf`` and ``ag:memberOf`` shortcuts, kept current incrementally.

A write can only change the shortcuts that the graphs it replaces supported before or that the
new content supports. For exactly those edges the gate asks whether some graph outside the write
still supports them, and changes the derived graph by the difference, in the same transaction as
the write. So a retraction removes the edges only that source supported, an edge two sources
support survives the retraction of one, and the cost of a write grows with what it touches, not
with how many deals a hub firm already has.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from pyoxigraph import NamedNode, Quad, Triple

from service.classes import below
from service.namespaces import AG, RDF, GraphNames, sparql_prefixes
from service.store.port import GraphName, Store, solutions

PARTNER_OF = NamedNode(AG + "partnerOf")
MEMBER_OF = NamedNode(AG + "memberOf")
_PARTICIPANT = NamedNode(AG + "participant")
_MEMBER = NamedNode(AG + "member")
_ALLIANCE = NamedNode(AG + "alliance")
_TYPE = NamedNode(RDF + "type")
_RELEVANT = (_TYPE, _PARTICIPANT, _MEMBER, _ALLIANCE)
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


def organizations_in(triples: Iterable[Triple]) -> set[NamedNode]:
    """The organizations a graph's relationships name (participants, members, alliances)."""
    return {
        t.object
        for t in triples
        if t.predicate in (_PARTICIPANT, _MEMBER, _ALLIANCE) and isinstance(t.object, NamedNode)
    }


def edges_from(triples: Iterable[Triple]) -> set[Triple]:
    """The shortcuts a graph's own relationships support."""
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
            edges |= {Triple(a, PARTNER_OF, b) for a in parties for b in parties if a != b}
    for rel, member in members.items():
        alliance = alliances.get(rel)
        if alliance is not None:
            edges.add(Triple(member, MEMBER_OF, alliance))
    return edges


def _stored_triples(store: Store, graph: GraphName) -> list[Triple]:
    """The relationship statements a graph holds now (before the write replaces it)."""
    return [q.triple for q in store.quads(graph) if q.predicate in _RELEVANT]


def _pairs(edges: Iterable[Triple]) -> str:
    return " ".join(f"({e.subject} {e.object})" for e in sorted(edges, key=str))


def _supported_elsewhere(
    store: Store, edges: set[Triple], skip: Sequence[GraphName], derived: NamedNode
) -> set[Triple]:
    """The edges among ``edges`` that some graph outside ``skip`` (and the derived graph)
    still supports."""
    named = ", ".join(str(g) for g in [*skip, derived] if isinstance(g, NamedNode))
    not_in = f"FILTER (?g NOT IN ({named}))"
    supported: set[Triple] = set()
    # partnerOf is symmetric: ask once per unordered pair.
    partners = {
        e
        for e in edges
        if e.predicate == PARTNER_OF and e.subject.value < e.object.value  # type: ignore[union-attr]
    }
    if partners:
        rows = store.query(
            f"""{_PREFIXES} SELECT DISTINCT ?a ?b WHERE {{
                VALUES (?a ?b) {{ {_pairs(partners)} }}
                GRAPH ?g {{ ?r ag:participant ?a . ?r ag:participant ?b . ?r a ?kind }}
                {below(store, AG + "Partnership", "kind")}
                {not_in}
            }}"""
        )
        for row in solutions(rows):
            supported.add(Triple(row["a"], PARTNER_OF, row["b"]))
            supported.add(Triple(row["b"], PARTNER_OF, row["a"]))
    memberships = {e for e in edges if e.predicate == MEMBER_OF}
    if memberships:
        rows = store.query(
            f"""{_PREFIXES} SELECT DISTINCT ?a ?b WHERE {{
                VALUES (?a ?b) {{ {_pairs(memberships)} }}
                GRAPH ?g {{ ?r ag:member ?a ; ag:alliance ?b }}
                {not_in}
            }}"""
        )
        supported |= {Triple(row["a"], MEMBER_OF, row["b"]) for row in solutions(rows)}
    return supported


def _present(store: Store, edges: set[Triple], derived: NamedNode) -> set[Triple]:
    """The edges among ``edges`` the derived graph holds now."""
    values = " ".join(f"({e.subject} {e.predicate} {e.object})" for e in edges)
    rows = store.query(
        f"""SELECT ?s ?p ?o WHERE {{
            VALUES (?s ?p ?o) {{ {values} }}
            GRAPH {derived} {{ ?s ?p ?o }}
        }}"""
    )
    return {Triple(row["s"], row["p"], row["o"]) for row in solutions(rows)}


def derived_delta(
    store: Store, candidates: Mapping[GraphName, Sequence[Triple]], graphs: GraphNames
) -> tuple[list[Quad], list[Quad]]:
    """The quads to remove from and add to the derived graph for a write of ``candidates``."""
    new: set[Triple] = set()
    old: set[Triple] = set()
    for graph, triples in candidates.items():
        new |= edges_from(triples)
        old |= edges_from(_stored_triples(store, graph))
    changed = new | old
    if not changed:
        return [], []
    derived = graphs.derived
    wanted = new | _supported_elsewhere(store, old - new, list(candidates), derived)
    current = _present(store, changed, derived)
    remove = [Quad(t.subject, t.predicate, t.object, derived) for t in current - wanted]
    add = [Quad(t.subject, t.predicate, t.object, derived) for t in wanted - current]
    return remove, add
