// The company explorer: helpers shared by its pages, and the search box with suggestions.
// Plain modules, no dependencies; everything is fetched from this server.

export const ROOT = document.body.dataset.root || "";
export const SVG = "http://www.w3.org/2000/svg";
export const WIKIDATA_PAGE = "https://www.wikidata.org/wiki/";

// Kinds of relationship (the ontology's classes), with a color each: Okabe-Ito, readable by
// people with color-vision deficiencies; every line is labelled too, so color is not the only cue.
export const TYPES = {
  Partnership: ["Partnership", "협력", "#0072B2"],
  MemorandumOfUnderstanding: ["Memorandum of understanding", "업무협약", "#E69F00"],
  CoDevelopment: ["Co-development", "공동 개발", "#009E73"],
  SupplyAgreement: ["Supply agreement", "공급 계약", "#CC79A7"],
  JointVentureAgreement: ["Joint venture agreement", "합작법인 설립", "#D55E00"],
  Investment: ["Investment", "투자", "#56B4E9"],
  AllianceMembership: ["Alliance membership", "얼라이언스 회원", "#8E44AD"],
  Meeting: ["Meeting", "회동", "#6B7280"],
  Relationship: ["Relationship", "관계", "#1F2937"],
};
export const STATUSES = {
  Speculated: ["Speculated", "관측"],
  Announced: ["Announced", "발표"],
  Signed: ["Signed", "체결"],
  Active: ["Active", "진행 중"],
  Ended: ["Ended", "종료"],
};
// Countries of the firms, by Wikidata id; any other is shown as its id, linked to Wikidata.
export const COUNTRIES = {
  Q884: ["South Korea", "대한민국"], Q30: ["United States", "미국"], Q17: ["Japan", "일본"],
  Q148: ["China", "중국"], Q865: ["Taiwan", "대만"], Q183: ["Germany", "독일"],
  Q145: ["United Kingdom", "영국"], Q142: ["France", "프랑스"], Q34: ["Sweden", "스웨덴"],
  Q33: ["Finland", "핀란드"], Q55: ["Netherlands", "네덜란드"], Q334: ["Singapore", "싱가포르"],
  Q878: ["United Arab Emirates", "아랍에미리트"], Q38: ["Italy", "이탈리아"],
  Q29: ["Spain", "스페인"], Q16: ["Canada", "캐나다"], Q668: ["India", "인도"],
  Q39: ["Switzerland", "스위스"], Q408: ["Australia", "오스트레일리아"],
};

/** A URL on this server, with the non-empty parameters as its query. */
export function url(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== "") query.set(key, String(value));
  }
  const text = query.toString();
  return ROOT + path + (text ? "?" + text : "");
}

export function companyHref(id) {
  return url("/explore/company/" + encodeURIComponent(id));
}

export function resourceHref(iri) {
  return url("/explore/resource", {iri});
}

/** An answer's problem detail (RFC 9457) as an Error with the status. */
async function failure(response) {
  let detail = response.statusText || "request failed";
  try {
    const problem = await response.json();
    detail = problem.detail || problem.title || detail;
  } catch {
    // Not JSON: keep the status text.
  }
  const error = new Error(detail);
  error.status = response.status;
  return error;
}

export async function getJSON(path, params, signal) {
  const response = await fetch(url(path, params), {headers: {Accept: "application/json"}, signal});
  if (!response.ok) throw await failure(response);
  return response.json();
}

export async function sparqlSelect(query, signal) {
  const response = await fetch(url("/sparql"), {
    method: "POST",
    headers: {"Content-Type": "application/sparql-query", Accept: "application/sparql-results+json"},
    body: query,
    signal,
  });
  if (!response.ok) throw await failure(response);
  return response.json();
}

/** An element: attributes (``text`` and ``class`` are shortcuts), then children. */
export function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  setAttributes(node, attributes);
  append(node, children);
  return node;
}

export function svgEl(tag, attributes, ...children) {
  const node = document.createElementNS(SVG, tag);
  setAttributes(node, attributes);
  append(node, children);
  return node;
}

function setAttributes(node, attributes) {
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "class") node.setAttribute("class", value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false || child === "") continue;
    node.append(child instanceof Node ? child : String(child));
  }
}

/** Text in one language: a span with ``lang``, so Korean is shaped and broken as Korean. */
export function inLanguage(text, language, className) {
  return el("span", {lang: language || undefined, class: className}, text);
}

/** A company's name: English first, Korean beside it (either may be missing). */
export function companyNames(ref) {
  const en = ref.label && ref.label.en;
  const ko = ref.label && ref.label.ko;
  const parts = [];
  if (en) parts.push(inLanguage(en, "en", "name"));
  if (ko && ko !== en) parts.push(" ", inLanguage(ko, "ko", "name secondary"));
  if (!parts.length) parts.push(el("span", {class: "name"}, ref.id));
  return parts;
}

export function displayName(ref) {
  return (ref.label && (ref.label.en || ref.label.ko)) || ref.id;
}

export function typeInfo(type) {
  return TYPES[type] || [type.replace(/([a-z])([A-Z])/g, "$1 $2"), "", "#374151"];
}

export function countryNode(qid) {
  const names = COUNTRIES[qid];
  const link = el("a", {href: WIKIDATA_PAGE + qid, class: "qid"}, qid);
  if (!names) return link;
  return el("span", {}, inLanguage(names[0], "en"), " ", inLanguage(names[1], "ko", "secondary"),
    " (", link, ")");
}

/** A date as precise as it is known: 2024-02-28, 2022-04 or 2022. */
export function formatDate(day, precision) {
  if (!day) return "";
  if (precision === "Year") return day.slice(0, 4);
  if (precision === "Month") return day.slice(0, 7);
  return day.slice(0, 10);
}

export function setStatus(node, text, isError) {
  node.textContent = text;
  node.classList.toggle("error", Boolean(isError));
}

// --- the search box ------------------------------------------------------------------------

function setUpSearch() {
  const input = document.getElementById("search-input");
  const list = document.getElementById("suggestions");
  const announce = document.getElementById("search-status");
  if (!input || !list) return;
  let timer = 0;
  let controller = null;
  let sequence = 0;
  let found = [];
  let active = -1;

  function close() {
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    found = [];
    active = -1;
  }

  function highlight(index) {
    const options = list.querySelectorAll("[role=option][data-id]");
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (index >= 0 && options[index]) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({block: "nearest"});
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(index) {
    const ref = found[index];
    if (ref) window.location.assign(companyHref(ref.id));
  }

  function show(items) {
    found = items;
    active = -1;
    list.replaceChildren();
    if (!items.length) {
      list.append(el("li", {class: "empty", role: "option", "aria-disabled": "true",
        "aria-selected": "false", id: "suggestion-none"},
        "No company with that name · ", inLanguage("일치하는 회사 없음", "ko")));
    }
    items.forEach((ref, index) => {
      const option = el("li", {role: "option", id: "suggestion-" + index, "data-id": ref.id,
        "aria-selected": "false"}, companyNames(ref),
        ref.country ? el("span", {class: "muted"}, " · ",
          COUNTRIES[ref.country] ? COUNTRIES[ref.country][0] : ref.country) : null);
      // Keep the focus in the box while the pointer is down, so the click still lands here.
      option.addEventListener("mousedown", (event) => event.preventDefault());
      option.addEventListener("click", () => choose(index));
      list.append(option);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    announce.textContent = items.length === 1 ? "1 suggestion" : items.length + " suggestions";
  }

  async function suggest() {
    const query = input.value.trim();
    if (!query) {
      close();
      return;
    }
    if (controller) controller.abort();
    controller = new AbortController();
    const mine = ++sequence;
    try {
      const page = await getJSON("/companies", {q: query, limit: 8}, controller.signal);
      if (mine === sequence) show(page.items);
    } catch (error) {
      if (error.name === "AbortError") return;
      if (mine !== sequence) return;
      list.replaceChildren(el("li", {class: "empty error", role: "option", "aria-disabled": "true",
        "aria-selected": "false", id: "suggestion-error"}, "Search failed: " + error.message));
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
  }

  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(suggest, 200);
  });
  input.addEventListener("keydown", (event) => {
    // While an input method composes Hangul, its keys are not ours.
    if (event.isComposing || event.keyCode === 229) return;
    const count = found.length;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (list.hidden) suggest();
      else if (count) highlight(active < count - 1 ? active + 1 : 0);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (count) highlight(active > 0 ? active - 1 : count - 1);
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", close);
}

setUpSearch();
