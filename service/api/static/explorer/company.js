// The company page: facts, the partner network (inline SVG), the partner list and the timeline,
// with filters by domain and date that redraw all three.
import {
  companyHref, companyNames, countryNode, displayName, el, formatDate, getJSON, inLanguage,
  resourceHref, setStatus, STATUSES, svgEl, typeInfo, WIKIDATA_PAGE,
} from "./explorer.js";

const main = document.getElementById("main");
const slug = main.dataset.company;
const status = document.getElementById("status");
const form = document.getElementById("filters");
const domainSelect = document.getElementById("filter-domain");
const sinceInput = document.getElementById("filter-since");
const untilInput = document.getElementById("filter-until");
const DAY = /^\d{4}(-\d{2}(-\d{2})?)?$/;
const RELATIONSHIP_LIMIT = 500;

let company = null;
let domainLabels = new Map();
let controller = null;

// --- facts ---------------------------------------------------------------------------------

function fact(list, term, ...values) {
  const shown = values.flat().filter((v) => v !== null && v !== undefined && v !== "");
  if (!shown.length) return;
  list.append(el("dt", {}, term), el("dd", {}, shown));
}

function names(values) {
  const out = [];
  values.forEach((name, index) => {
    if (index) out.push(", ");
    out.push(inLanguage(name.value, name.language));
  });
  return out;
}

function companyLinks(refs) {
  const out = [];
  refs.forEach((ref, index) => {
    if (index) out.push(", ");
    out.push(el("a", {href: companyHref(ref.id)}, companyNames(ref)));
  });
  return out;
}

function renderFacts(detail) {
  const list = document.getElementById("company-facts");
  list.replaceChildren();
  const ref = detail.company;
  fact(list, "Names", names(detail.labels));
  fact(list, "Also known as", names(detail.aliases));
  fact(list, "Wikidata", ref.wikidata
    ? el("a", {href: WIKIDATA_PAGE + ref.wikidata, id: "wikidata-link"}, ref.wikidata)
    : el("span", {class: "muted"}, "not linked"));
  fact(list, "Country", ref.country ? countryNode(ref.country) : null);
  fact(list, "Kind", detail.types.join(", "));
  fact(list, "Part of", companyLinks(detail.parent));
  fact(list, "Subsidiaries", companyLinks(detail.subsidiaries));
  fact(list, "Member of", companyLinks(detail.alliances));
}

// --- filters -------------------------------------------------------------------------------

function fillDomains(detail, domains) {
  domainLabels = new Map(domains.map((d) => [d.tag, d.label]));
  const present = new Set(detail.relationships.flatMap((r) => r.domains));
  const sorted = [...present].sort((a, b) => a.localeCompare(b));
  for (const tag of sorted) {
    const label = domainLabels.get(tag) || {};
    const text = [tag, label.en && label.en !== tag ? label.en : null, label.ko]
      .filter(Boolean).join(" · ");
    domainSelect.append(el("option", {value: tag}, text));
  }
}

function domainNode(tag) {
  const label = domainLabels.get(tag);
  const title = label ? [label.en, label.ko].filter(Boolean).join(" · ") : undefined;
  return el("span", {class: "tag", title}, tag);
}

/** Whether a date filter is a real YYYY, YYYY-MM or YYYY-MM-DD date (as the API requires). */
function isDay(value) {
  const match = DAY.exec(value);
  if (!match) return false;
  const [year, month, day] = value.split("-").map(Number);
  if (month === undefined) return true;
  if (month < 1 || month > 12) return false;
  if (day === undefined) return true;
  return day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function readFilters() {
  const since = sinceInput.value.trim();
  const until = untilInput.value.trim();
  let problem = "";
  for (const [input, value] of [[sinceInput, since], [untilInput, until]]) {
    const bad = value !== "" && !isDay(value);
    input.setAttribute("aria-invalid", String(bad));
    if (bad) problem = `"${value}" is not a date: write YYYY, YYYY-MM or YYYY-MM-DD`;
  }
  if (!problem && since && until && since.padEnd(10, "-01") > until.padEnd(10, "-01")) {
    problem = "since is after until";
  }
  return {filters: {domain: domainSelect.value, since, until}, problem};
}

function keepInAddress(filters) {
  const address = new URL(window.location.href);
  for (const key of ["domain", "since", "until"]) {
    if (filters[key]) address.searchParams.set(key, filters[key]);
    else address.searchParams.delete(key);
  }
  window.history.replaceState(null, "", address);
}

function restoreFilters() {
  const params = new URLSearchParams(window.location.search);
  const domain = params.get("domain") || "";
  if ([...domainSelect.options].some((option) => option.value === domain)) {
    domainSelect.value = domain;
  }
  sinceInput.value = params.get("since") || "";
  untilInput.value = params.get("until") || "";
}

// --- the network ---------------------------------------------------------------------------

const WIDTH = 960;
const HEIGHT = 600;

function shorten(text, size) {
  return text.length > size ? text.slice(0, size - 1) + "…" : text;
}

function drawNetwork(answer) {
  const svg = document.getElementById("network");
  const old = document.getElementById("network-graph");
  if (old) old.remove();
  const graph = svgEl("g", {id: "network-graph"});
  svg.append(graph);
  const cx = WIDTH / 2;
  const cy = HEIGHT / 2;
  const partners = answer.partners;
  const centreName = displayName(answer.company);
  const edges = svgEl("g", {class: "edges"});
  const labels = svgEl("g", {class: "edge-labels", "aria-hidden": "true"});
  const nodes = svgEl("g", {class: "nodes"});
  graph.append(edges, labels, nodes);
  const n = partners.length;
  const rx = n > 12 ? 330 : 300;
  const ry = n > 12 ? 230 : 210;
  const small = n > 16;
  const seen = new Map();
  partners.forEach((partner, index) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * index) / Math.max(n, 1);
    const x = cx + rx * Math.cos(angle);
    const y = cy + ry * Math.sin(angle);
    const byType = new Map();
    for (const relationship of partner.relationships) {
      byType.set(relationship.type, (byType.get(relationship.type) || 0) + 1);
      seen.set(relationship.type, (seen.get(relationship.type) || 0) + 1);
    }
    const types = [...byType.keys()].sort();
    const dx = x - cx;
    const dy = y - cy;
    const length = Math.hypot(dx, dy) || 1;
    const nx = -dy / length;
    const ny = dx / length;
    types.forEach((type, k) => {
      const [label, , color] = typeInfo(type);
      const count = byType.get(type);
      const bend = (k - (types.length - 1) / 2) * 44;
      // A quadratic curve whose middle passes ``bend`` away from the straight line.
      const qx = (cx + x) / 2 + nx * bend * 2;
      const qy = (cy + y) / 2 + ny * bend * 2;
      const name = `${centreName} – ${displayName(partner.company)}: ${label}` +
        (count > 1 ? ` (${count})` : "");
      edges.append(svgEl("path", {
        d: `M${cx},${cy} Q${qx.toFixed(1)},${qy.toFixed(1)} ${x.toFixed(1)},${y.toFixed(1)}`,
        class: "edge", stroke: color, "stroke-width": 1.5 + Math.min(count, 4),
        "data-type": type, "data-partner": partner.company.id,
      }, svgEl("title", {}, name)));
      // The label sits on the curve, a little nearer the partner than the middle.
      const t = 0.6;
      const lx = (1 - t) * (1 - t) * cx + 2 * (1 - t) * t * qx + t * t * x;
      const ly = (1 - t) * (1 - t) * cy + 2 * (1 - t) * t * qy + t * t * y;
      labels.append(svgEl("text", {x: lx.toFixed(1), y: ly.toFixed(1), class: "edge-label",
        fill: color, "text-anchor": "middle", "dominant-baseline": "middle"},
      label + (count > 1 ? ` ×${count}` : "")));
    });
    const count = partner.relationshipsTotal;
    const radius = 9 + Math.min(count, 5) * 2;
    // The name sits outside the ring: beside the node on the left and right, above or below it
    // at the top and bottom.
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    let anchor = "middle";
    let tx = x;
    let ty = sin < 0 ? y - radius - 22 : y + radius + 16;
    if (Math.abs(cos) > 0.35) {
      anchor = cos > 0 ? "start" : "end";
      tx = x + Math.sign(cos) * (radius + 6);
      ty = y - 2;
    }
    const en = partner.company.label.en;
    const ko = partner.company.label.ko;
    const size = small ? 18 : 26;
    const text = svgEl("text", {x: tx.toFixed(1), y: ty.toFixed(1), "text-anchor": anchor,
      class: "node-label" + (small ? " small" : "")});
    text.append(svgEl("tspan", {lang: en ? "en" : "ko"}, shorten(en || ko || partner.company.id, size)));
    if (ko && en && ko !== en) {
      text.append(svgEl("tspan", {x: tx.toFixed(1), dy: "1.2em", lang: "ko", class: "ko"},
        shorten(ko, size)));
    }
    const link = svgEl("a", {href: companyHref(partner.company.id), class: "node",
      "data-partner": partner.company.id,
      "aria-label": `${displayName(partner.company)}: ${count} relationship${count > 1 ? "s" : ""}`},
    svgEl("title", {}, [en, ko].filter(Boolean).join(" · ")),
    svgEl("circle", {cx: x.toFixed(1), cy: y.toFixed(1), r: radius}),
    text);
    nodes.append(link);
  });
  const centre = svgEl("g", {class: "centre"});
  centre.append(svgEl("circle", {cx, cy, r: 34}));
  const en = answer.company.label.en;
  const ko = answer.company.label.ko;
  const title = svgEl("text", {x: cx, y: cy + 52, "text-anchor": "middle", class: "centre-label"});
  title.append(svgEl("tspan", {lang: en ? "en" : "ko"}, en || ko || answer.company.id));
  if (ko && en && ko !== en) {
    title.append(svgEl("tspan", {x: cx, dy: "1.2em", lang: "ko", class: "ko"}, ko));
  }
  centre.append(title);
  nodes.append(centre);
  if (!n) {
    graph.append(svgEl("text", {x: cx, y: cy - 60, "text-anchor": "middle", class: "empty"},
      "No partners match these filters"));
  }
  drawLegend(seen);
}

function drawLegend(seen) {
  const legend = document.getElementById("legend");
  legend.replaceChildren();
  for (const type of [...seen.keys()].sort()) {
    const [en, ko, color] = typeInfo(type);
    const swatch = svgEl("svg", {viewBox: "0 0 24 8", class: "swatch", "aria-hidden": "true"},
      svgEl("line", {x1: 0, y1: 4, x2: 24, y2: 4, stroke: color, "stroke-width": 4}));
    legend.append(el("li", {"data-type": type}, swatch, inLanguage(en, "en"),
      ko ? " " : null, ko ? inLanguage(ko, "ko", "secondary") : null, ` (${seen.get(type)})`));
  }
}

// --- the lists -----------------------------------------------------------------------------

function relationshipAnchor(iri) {
  return "rel-" + iri.split("/").pop();
}

function typeBadge(type) {
  const [en, ko, color] = typeInfo(type);
  const badge = el("span", {class: "badge", "data-type": type}, inLanguage(en, "en"),
    ko ? " · " : null, ko ? inLanguage(ko, "ko") : null);
  badge.style.borderColor = color;
  badge.style.color = color;
  return badge;
}

function renderPartners(answer) {
  const list = document.getElementById("partner-list");
  list.replaceChildren();
  if (!answer.partners.length) {
    list.append(el("li", {class: "empty"}, "No partners match these filters."));
    return;
  }
  for (const partner of answer.partners) {
    const ref = partner.company;
    const items = partner.relationships.map((r) => el("li", {},
      el("a", {href: "#" + relationshipAnchor(r.iri)}, typeBadge(r.type)), " ",
      r.announcedOn ? el("time", {datetime: r.announcedOn}, formatDate(r.announcedOn, r.datePrecision))
        : el("span", {class: "muted"}, "undated"),
      " ", r.domains.map(domainNode)));
    const more = partner.relationshipsTotal - partner.relationships.length;
    if (more > 0) {
      items.push(el("li", {class: "muted"}, `and ${more} more (`,
        el("a", {href: "/relationships?" + new URLSearchParams({company: answer.company.id,
          partner: ref.id, limit: 500})}, "all, as JSON"), ")"));
    }
    list.append(el("li", {"data-partner": ref.id},
      el("a", {href: companyHref(ref.id), class: "partner-name"}, companyNames(ref)),
      ref.country ? el("span", {class: "muted"}, " · ", countryNode(ref.country)) : null,
      el("ul", {class: "partner-relationships"}, items)));
  }
}

function sortForTimeline(relationships) {
  // Oldest first by announcement date; undated ones last; then by IRI, so the order is stable.
  return [...relationships].sort((a, b) => {
    if (!a.announcedOn !== !b.announcedOn) return a.announcedOn ? -1 : 1;
    const byDate = (a.announcedOn || "").localeCompare(b.announcedOn || "");
    return byDate || a.iri.localeCompare(b.iri);
  });
}

function sourceItem(source) {
  const parts = [];
  if (source.publisher) parts.push(el("span", {class: "publisher"}, source.publisher));
  if (source.title) {
    if (parts.length) parts.push(" — ");
    parts.push(el("cite", {}, source.title));
  }
  if (source.published) {
    if (parts.length) parts.push(", ");
    parts.push(el("time", {datetime: source.published}, source.published.slice(0, 10)));
  }
  if (source.url && /^https?:\/\//.test(source.url)) {
    if (parts.length) parts.push(" ");
    parts.push(el("a", {href: source.url, rel: "external noopener noreferrer",
      class: "source-link"}, "link"));
  }
  if (!parts.length) parts.push(el("span", {class: "muted"}, "an unnamed source"));
  return el("li", {}, parts);
}

function evidenceItem(evidence) {
  const confidence = evidence.confidence === null || evidence.confidence === undefined
    ? null : Number(evidence.confidence);
  return el("figure", {class: "evidence"},
    el("blockquote", {}, evidence.quote),
    el("figcaption", {},
      confidence === null ? "confidence unknown" : [
        "confidence ",
        el("meter", {min: 0, max: 1, value: confidence, "aria-hidden": "true"}),
        " " + confidence.toFixed(2),
      ]));
}

function renderTimeline(page) {
  const list = document.getElementById("timeline");
  list.replaceChildren();
  const relationships = sortForTimeline(page.items);
  if (!relationships.length) {
    list.append(el("li", {class: "empty"}, "No relationships match these filters."));
    return;
  }
  for (const r of relationships) {
    const [statusEn, statusKo] = STATUSES[r.status] || [r.status, ""];
    const others = r.participants.filter((p) => p.id !== slug);
    const item = el("li", {id: relationshipAnchor(r.iri), class: "relationship",
      "data-type": r.type},
    el("div", {class: "when"}, r.announcedOn
      ? el("time", {datetime: r.announcedOn}, formatDate(r.announcedOn, r.datePrecision))
      : el("span", {class: "undated"}, "undated · ", inLanguage("날짜 미상", "ko"))),
    el("article", {"aria-label": typeInfo(r.type)[0] + " with " + others.map(displayName).join(", ")},
      el("h3", {}, typeBadge(r.type), " with ", companyLinksOf(others)),
      el("p", {class: "meta"},
        r.status ? el("span", {class: "status-tag"}, "status: ", inLanguage(statusEn, "en"),
          statusKo ? [" · ", inLanguage(statusKo, "ko")] : null) : null,
        r.domains.length ? [" · domains: ", r.domains.map(domainNode)] : null,
        r.event ? [" · at ", el("span", {class: "event"}, r.event)] : null,
        " · ", el("a", {href: resourceHref(r.iri), class: "details"}, "details")),
      r.sources.length ? el("div", {class: "sources"}, el("h4", {}, "Sources"),
        el("ul", {}, r.sources.map(sourceItem))) : null,
      r.evidence.length ? el("div", {class: "evidence-list"}, el("h4", {}, "Evidence"),
        r.evidence.map(evidenceItem)) : null));
    list.append(item);
  }
  if (page.total > page.items.length) {
    list.append(el("li", {class: "muted"},
      `Showing ${page.items.length} of ${page.total}; narrow the filters to see the rest.`));
  }
}

function companyLinksOf(refs) {
  if (!refs.length) return el("span", {class: "muted"}, "no other participant");
  const out = [];
  refs.forEach((ref, index) => {
    if (index) out.push(", ");
    out.push(el("a", {href: companyHref(ref.id)}, companyNames(ref)));
  });
  return out;
}

// --- loading -------------------------------------------------------------------------------

async function refresh() {
  const {filters, problem} = readFilters();
  if (problem) {
    setStatus(status, problem, true);
    return;
  }
  keepInAddress(filters);
  if (controller) controller.abort();
  controller = new AbortController();
  const signal = controller.signal;
  setStatus(status, "Loading…", false);
  main.setAttribute("aria-busy", "true");
  try {
    const [answer, page] = await Promise.all([
      getJSON(`/companies/${encodeURIComponent(slug)}/partners`, filters, signal),
      getJSON("/relationships", {company: slug, ...filters, limit: RELATIONSHIP_LIMIT}, signal),
    ]);
    drawNetwork(answer);
    renderPartners(answer);
    renderTimeline(page);
    const filtered = filters.domain || filters.since || filters.until;
    const partners = answer.total;
    const shown = answer.partners.length < partners ? ` (the ${answer.partners.length} closest drawn)` : "";
    setStatus(status, `${partners} partner${partners === 1 ? "" : "s"}${shown}, ` +
      `${page.total} relationship${page.total === 1 ? "" : "s"}` +
      (filtered ? " match the filters." : "."), false);
    main.dataset.loaded = "true";
  } catch (error) {
    if (error.name === "AbortError") return;
    setStatus(status, "Could not load the relationships: " + error.message, true);
  } finally {
    if (!signal.aborted) main.removeAttribute("aria-busy");
  }
}

async function start() {
  try {
    const [detail, domains] = await Promise.all([
      getJSON(`/companies/${encodeURIComponent(slug)}`),
      getJSON("/domains"),
    ]);
    company = detail;
    renderFacts(company);
    fillDomains(company, domains);
    restoreFilters();
  } catch (error) {
    setStatus(status, "Could not load the company: " + error.message, true);
    return;
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    refresh();
  });
  form.addEventListener("reset", () => window.setTimeout(refresh, 0));
  domainSelect.addEventListener("change", refresh);
  sinceInput.addEventListener("change", refresh);
  untilInput.addEventListener("change", refresh);
  await refresh();
}

start();
