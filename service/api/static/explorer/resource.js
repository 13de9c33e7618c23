// A generic page for one instance IRI (relationship, source, evidence, event, person): the
// statements about it and those that refer to it, graph by graph, from the SPARQL endpoint.
import { companyHref, el, inLanguage, resourceHref, setStatus, sparqlSelect } from "./explorer.js";

const main = document.getElementById("main");
// The server only renders this page for a valid IRI under the instance base.
const iri = main.dataset.iri;
const base = main.dataset.base;
const status = document.getElementById("status");
const RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label";
const PREFIXES = [
  ["ag:", "https://w3id.org/alliancegraph/ontology#"],
  ["rdf:", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"],
  ["rdfs:", "http://www.w3.org/2000/01/rdf-schema#"],
  ["xsd:", "http://www.w3.org/2001/XMLSchema#"],
  ["owl:", "http://www.w3.org/2002/07/owl#"],
  ["skos:", "http://www.w3.org/2004/02/skos/core#"],
  ["prov:", "http://www.w3.org/ns/prov#"],
  ["schema:", "https://schema.org/"],
  ["wd:", "http://www.wikidata.org/entity/"],
  ["wdt:", "http://www.wikidata.org/prop/direct/"],
  ["domain:", "https://w3id.org/alliancegraph/domain/"],
  ["graph:", "https://w3id.org/alliancegraph/graph/"],
];
const QUERY = `SELECT ?direction ?p ?o ?label ?g WHERE {
  { GRAPH ?g { <${iri}> ?p ?o } BIND ("out" AS ?direction) }
  UNION { GRAPH ?g { ?o ?p <${iri}> } BIND ("in" AS ?direction) }
  OPTIONAL { ?o <${RDFS_LABEL}> ?label FILTER (isIRI(?o)) }
} LIMIT 5000`;

function compact(value) {
  if (value.startsWith(base)) return value.slice(base.length);
  for (const [prefix, namespace] of PREFIXES) {
    if (value.startsWith(namespace)) return prefix + value.slice(namespace.length);
  }
  return value;
}

function iriNode(value, labels) {
  let href = null;
  if (value.startsWith(base + "org/")) href = companyHref(value.slice(base.length + 4));
  else if (value.startsWith(base)) href = resourceHref(value);
  else if (/^https?:\/\//.test(value)) href = value;
  const text = compact(value);
  const node = href ? el("a", {href, title: value}, text) : el("span", {title: value}, text);
  const named = [];
  for (const language of ["en", "ko"]) {
    if (labels[language]) named.push(" ", inLanguage(labels[language], language, "label"));
  }
  if (!named.length && labels[""]) named.push(" ", el("span", {class: "label"}, labels[""]));
  return [node, named];
}

function termNode(term, labels) {
  if (term.type === "uri") return iriNode(term.value, labels || {});
  if (term.type === "bnode") return el("span", {class: "muted"}, "_:" + term.value);
  const parts = [inLanguage(term.value, term["xml:lang"], "literal")];
  if (term["xml:lang"]) parts.push(el("span", {class: "lang"}, " @" + term["xml:lang"]));
  else if (term.datatype && !term.datatype.endsWith("#string")) {
    parts.push(el("span", {class: "lang"}, " " + compact(term.datatype)));
  }
  return parts;
}

function graphNode(term) {
  return el("span", {class: "graph", title: term.value}, compact(term.value));
}

function group(bindings) {
  // One row per statement; its object's labels (one per language) gathered beside it.
  const rows = new Map();
  for (const b of bindings) {
    const key = [b.direction.value, b.p.value, b.o.type, b.o.value, b.o["xml:lang"] || "",
      b.g.value].join("\u0000");
    if (!rows.has(key)) rows.set(key, {direction: b.direction.value, p: b.p, o: b.o, g: b.g, labels: {}});
    if (b.label) rows.get(key).labels[b.label["xml:lang"] || ""] = b.label.value;
  }
  const order = (p) => (p === RDF_TYPE ? 0 : p === RDFS_LABEL ? 1 : 2);
  return [...rows.values()].sort((a, b) => order(a.p.value) - order(b.p.value) ||
    compact(a.p.value).localeCompare(compact(b.p.value)) || a.o.value.localeCompare(b.o.value));
}

function render(rows) {
  const out = rows.filter((r) => r.direction === "out");
  const into = rows.filter((r) => r.direction === "in");
  const statements = document.querySelector("#statements tbody");
  const references = document.querySelector("#references tbody");
  statements.replaceChildren();
  references.replaceChildren();
  for (const row of out) {
    statements.append(el("tr", {},
      el("th", {scope: "row"}, iriNode(row.p.value, {})[0]),
      el("td", {}, termNode(row.o, row.labels)),
      el("td", {}, graphNode(row.g))));
  }
  for (const row of into) {
    references.append(el("tr", {},
      el("td", {}, termNode(row.o, row.labels)),
      el("td", {}, iriNode(row.p.value, {})[0]),
      el("td", {}, graphNode(row.g))));
  }
  if (!out.length) statements.append(el("tr", {}, el("td", {colspan: 3, class: "muted"}, "nothing")));
  if (!into.length) references.append(el("tr", {}, el("td", {colspan: 3, class: "muted"}, "nothing")));
  const labels = out.filter((r) => r.p.value === RDFS_LABEL && r.o.type === "literal");
  if (labels.length) {
    const heading = document.getElementById("resource-name");
    heading.replaceChildren();
    const sorted = [...labels].sort((a, b) => (a.o["xml:lang"] === "en" ? -1 : 0) -
      (b.o["xml:lang"] === "en" ? -1 : 0));
    sorted.forEach((row, index) => {
      if (index) heading.append(" ");
      heading.append(inLanguage(row.o.value, row.o["xml:lang"], index ? "secondary" : undefined));
    });
  }
  const types = out.filter((r) => r.p.value === RDF_TYPE).map((r) => compact(r.o.value));
  document.getElementById("resource-types").textContent = types.length
    ? "a " + [...new Set(types)].join(", ") : "";
  setStatus(status, `${out.length} statement${out.length === 1 ? "" : "s"} about it, ` +
    `${into.length} referring to it.`, false);
  main.dataset.loaded = "true";
}

async function start() {
  try {
    const results = await sparqlSelect(QUERY);
    render(group(results.results.bindings));
  } catch (error) {
    setStatus(status, "Could not load the statements: " + error.message, true);
  }
}

start();
