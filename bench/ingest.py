"""Benchmark of article ingestion: an empty store against a preloaded one, and batch throughput.

Issue 4 asks that ingesting one article cost about the same in an empty store and in one holding
about a million quads (target: median latency preloaded / empty ≤ 1.2×). Run it from the
checkout, after ``make test`` or ``.venv/bin/pip install -e .``::

    .venv/bin/python bench/ingest.py                                  # defaults (several minutes)
    .venv/bin/python bench/ingest.py --articles 50 --preload-quads 200000 --keep

What it does:

1. Writes a seeded set of news articles (``--articles``, default 200, ``--seed``) as article
   files (front matter, then the body) in a temporary folder, half in English and half in Korean,
   each of about 3 KB. They name firms of the example registry
   (``examples/reference/organizations.ttl``) in invented sentences with the relationship cues of
   ``service/extract/lexicon/patterns.tsv`` and the technology-domain labels of
   ``ontology/domains.ttl``, among filler sentences. A few more articles, ingested first and not
   counted, warm the process up.
2. Prepares two embedded stores, each with the ontology and the registry loaded
   (``alliancegraph load --graph …/graph/reference``): one otherwise empty, one preloaded with
   about ``--preload-quads`` (default 1,000,000) synthetic quads shaped like ingested data: one
   named graph per synthetic source (``…/graph/source/synthetic-N``) with its
   ``ag:NewsArticle``, 2-4-party relationships among thousands of synthetic firms (``ag:Firm``
   with ``@en`` and ``@ko`` labels), one ``ag:Evidence`` each, and the type and labels of every
   firm the source names. A quarter of the relationships also involve a registry firm that the
   articles name (the better known ones far more often), so the context and derived-graph queries
   for those firms have real work to do. The source graphs are loaded with
   ``alliancegraph load --no-validate``; the derived graph (``ag:partnerOf`` both ways for every
   pair of partners), which that command skips because the service maintains it, is written with
   pyoxigraph's bulk loader, as ingestion would have left it. Both counts make up the target.
3. Latency per article, in-process: for each store it builds the service objects as the server
   does (``Settings``, ``ServiceContext``, ``Ingestor``), builds the alias index, ingests the
   warm-up articles, then ingests every article one at a time with ``Ingestor.ingest_article``,
   timing each call (extraction, resolution, validation, commit and flush: everything a
   ``POST /sources/articles`` does beyond HTTP). It checks that both stores produced the same
   relationships.
4. Batch throughput: ``alliancegraph --store COPY ingest FOLDER --jobs 1`` and ``--jobs 2``, each on
   a fresh copy of the empty store with the registry, timed end to end (process start included).
5. Prints a Markdown table for the README and the environment line.

This is a benchmark, not a test: ``make test`` never runs it. It leaves the project's ``data/``
folder alone; everything it writes goes into a temporary folder (kept with ``--keep``).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pyoxigraph

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__" and str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: make the bench package importable

from bench.environment import environment_line  # noqa: E402
from service.config import Settings  # noqa: E402
from service.context import ServiceContext  # noqa: E402
from service.errors import AllianceGraphError  # noqa: E402
from service.extract.lexicon import domain_labels  # noqa: E402
from service.ingest.articles import ArticleIn, parse_article_file  # noqa: E402
from service.ingest.names import normalize_name  # noqa: E402
from service.ingest.pipeline import Ingestor  # noqa: E402
from service.ontology import OntologyBundle  # noqa: E402

REGISTRY = ROOT / "examples" / "reference" / "organizations.ttl"

AG = "https://w3id.org/alliancegraph/ontology#"
ID = "https://w3id.org/alliancegraph/id/"
GRAPH = "https://w3id.org/alliancegraph/graph/"
DOMAIN = "https://w3id.org/alliancegraph/domain/"
REFERENCE_GRAPH = GRAPH + "reference"
DERIVED_GRAPH = GRAPH + "derived"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"

#: Articles ingested before the measured ones, in each store, and not counted.
WARM_UP_ARTICLES = 5
#: Share of the synthetic relationships that also involve a registry firm the articles name.
REGISTRY_SHARE = 0.25
#: Synthetic firms per preloaded quad (5,000 firms for a million quads).
QUADS_PER_FIRM = 200
#: Size of an article body, in UTF-8 bytes.
ARTICLE_BYTES = 3000

# --------------------------------------------------------------------------------------------
# What the articles say
# --------------------------------------------------------------------------------------------

#: Registry firms the articles name, as English and Korean press write them. Each name must be
#: a label or alternative label of exactly one organization of the registry (checked at start).
#: Names with a full stop ("SoftBank Corp.") are left out: the extractor ends a sentence there.
ARTICLE_FIRMS: tuple[tuple[str, str], ...] = (
    ("Samsung Electronics", "삼성전자"),
    ("LG Electronics", "LG전자"),
    ("SK Telecom", "SK텔레콤"),
    ("Nvidia", "엔비디아"),
    ("Meta Platforms", "메타"),
    ("Hyundai Motor Company", "현대자동차"),
    ("Samsung SDI", "삼성SDI"),
    ("LG Energy Solution", "LG에너지솔루션"),
    ("SK On", "SK온"),
    ("Microsoft", "마이크로소프트"),
    ("Siemens", "지멘스"),
    ("Deutsche Telekom", "도이치텔레콤"),
    ("SoftBank", "소프트뱅크"),
    ("Ericsson", "에릭슨"),
    ("Nokia", "노키아"),
    ("General Motors", "제너럴 모터스"),
    ("Stellantis", "스텔란티스"),
    ("Kia", "기아"),
    ("HD Hyundai Heavy Industries", "HD현대중공업"),
    ("Ford", "포드"),
    ("Uber", "우버"),
    ("Singtel", "싱텔"),
)

#: Technology-domain labels of ``ontology/domains.ttl`` (checked at start): English, Korean.
DOMAIN_WORDS: tuple[tuple[str, str], ...] = (
    ("large language model", "거대언어모델"),
    ("generative AI", "생성형 AI"),
    ("AI chip", "AI 반도체"),
    ("high-bandwidth memory", "고대역폭 메모리"),
    ("semiconductor foundry", "파운드리"),
    ("6G", "6세대 이동통신"),
    ("AI-RAN", "AI 무선접속망"),
    ("cloud computing", "클라우드"),
    ("data center", "데이터센터"),
    ("extended reality", "확장현실"),
    ("digital twin", "디지털 트윈"),
    ("robotics", "로봇"),
    ("electric vehicle", "전기차"),
    ("autonomous driving", "자율주행"),
    ("battery", "배터리"),
    ("hydrogen energy", "수소 에너지"),
    ("shipbuilding", "조선업"),
    ("smart factory", "스마트 팩토리"),
)

# Sentences with a relationship cue of patterns.tsv. {a}, {b}, {c}: firms; {d}: a domain word; in
# Korean, {a:은} is the name with the particle its last syllable takes (은/는, 과/와).
EN_DEALS = (
    "{a} signed an MOU with {b} on {d} on Tuesday.",
    "{a} and {b} agreed to set up a joint venture for {d}.",
    "{a} will co-develop next-generation {d} products with {b}.",
    "{a}, {b} and {c} announced a partnership in {d}.",
    "{a} teamed up with {b} to speed up its {d} roadmap.",
    "{a} and {b} signed a supply agreement for {d} components.",
    "{a} said it would jointly develop {d} systems with {b} and {c}.",
)
KO_DEALS = (
    "{a:은} {b:과} {d} 분야에서 업무협약을 체결했다고 밝혔다.",
    "{a:과} {b:은} {d} 사업을 위한 합작법인을 세우기로 합의했다.",
    "{a:은} {b:과} 함께 차세대 {d} 기술을 공동 개발할 계획이다.",
    "{a}, {b}, {c:은} {d} 생태계를 넓히기 위해 협력하기로 했다.",
    "{a:은} {b:과} 손잡고 {d} 시장 공략에 나선다.",
    "{a:은} {b:과} {d} 핵심 부품에 대한 공급 계약을 맺었다.",
)
# Sentences without a cue; some name one firm, which is a mention but no relationship.
EN_FILLERS = (
    "Analysts expect demand to stay firm through the second half of the year.",
    "The companies did not disclose the financial terms.",
    "Shares of {a} rose {n} percent in morning trading in Seoul.",
    "Officials said the first results could be shown at a trade show next spring.",
    "Industry watchers noted that competition in {d} has intensified since last year.",
    "The plan still requires approval from regulators in several markets.",
    "A spokesperson declined to comment on the timeline.",
    "Market researchers estimate the segment will grow by {n} percent a year.",
    "Engineers from both sides will work at a research center near the capital.",
    "The announcement came a week after the quarterly earnings report.",
    "{a} reported operating profit of {n} billion won for the quarter.",
    "Investors have been waiting for a clearer picture of how the costs will be shared.",
    "The first pilot lines are expected to start running within {n} months.",
)
KO_FILLERS = (
    "업계에서는 하반기에도 수요가 견조할 것으로 보고 있다.",
    "구체적인 계약 규모는 공개되지 않았다.",
    "{a:의} 주가는 이날 오전 {n}% 올랐다.",
    "관계자는 첫 성과를 내년 상반기 전시회에서 선보일 수 있을 것이라고 말했다.",
    "시장조사업체들은 관련 시장이 해마다 {n}% 성장할 것으로 내다봤다.",
    "{d} 분야의 경쟁은 지난해부터 더욱 치열해졌다.",
    "이번 발표는 분기 실적 발표 일주일 만에 나왔다.",
    "양측 연구진은 수도권 연구센터에서 함께 일하게 된다.",
    "규제 당국의 승인 절차가 아직 남아 있다.",
    "회사 측은 구체적인 일정에 대해서는 말을 아꼈다.",
    "{a:은} 이번 분기 영업이익이 {n}억 원을 기록했다고 밝혔다.",
    "투자자들은 비용 분담 방식이 어떻게 정해질지 주목하고 있다.",
    "첫 시범 생산라인은 {n}개월 안에 가동될 예정이다.",
)
EN_TITLES = (
    "{a} and {b} widen ties in {d}",
    "{a} bets on {d} with new deals",
    "Why {a} is betting on {d}",
)
KO_TITLES = ("{a}·{b}, {d} 사업 확대", "{a}, {d} 승부수", "{d} 시장 재편 가속")
PUBLISHERS = ("Korea Tech Daily", "Seoul Business Wire", "Asia Chip Report", "한빛경제신문")
#: Korean particles: (after a final consonant, after a vowel).
PARTICLES = {"은": ("은", "는"), "과": ("과", "와"), "의": ("의", "의")}

# --------------------------------------------------------------------------------------------
# Synthetic preload
# --------------------------------------------------------------------------------------------

SYLLABLES = (
    ("Han", "한"),
    ("Sol", "솔"),
    ("Jin", "진"),
    ("Mi", "미"),
    ("Ra", "라"),
    ("Woo", "우"),
    ("Kang", "강"),
    ("Nam", "남"),
    ("Seo", "서"),
    ("Tae", "태"),
    ("Yeon", "연"),
    ("Bo", "보"),
    ("Chan", "찬"),
    ("Do", "도"),
    ("Gyeong", "경"),
    ("Il", "일"),
    ("Ju", "주"),
    ("Ha", "하"),
    ("Ye", "예"),
    ("Rim", "림"),
    ("Baek", "백"),
    ("On", "온"),
    ("Yun", "윤"),
    ("Pyo", "표"),
)
SUFFIXES = (
    ("Electronics", "일렉트로닉스"),
    ("Motors", "모터스"),
    ("Semiconductor", "세미컨덕터"),
    ("Telecom", "텔레콤"),
    ("Chemical", "케미칼"),
    ("Systems", "시스템즈"),
    ("Robotics", "로보틱스"),
    ("Energy", "에너지"),
    ("Networks", "네트웍스"),
    ("Materials", "머티리얼즈"),
    ("Bio", "바이오"),
    ("Mobility", "모빌리티"),
)
DEAL_KINDS = (
    ("CoDevelopment", "co-develop", "공동 개발"),
    ("MemorandumOfUnderstanding", "MOU", "업무협약"),
    ("JointVentureAgreement", "joint venture", "합작법인"),
    ("SupplyAgreement", "supply agreement", "공급 계약"),
    ("Partnership", "partnership", "협력"),
)


def _iri(value: str) -> str:
    return f"<{value}>"


def _lit(value: str, *, lang: str | None = None, datatype: str | None = None) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if lang is not None:
        return f'"{escaped}"@{lang}'
    if datatype is not None:
        return f'"{escaped}"^^<{datatype}>'
    return f'"{escaped}"'


@dataclass(frozen=True)
class RegistryFirm:
    """A registry organization the articles name: its IRI, types and labels."""

    iri: str
    en: str  # the name the English articles use
    ko: str  # the name the Korean articles use
    types: tuple[str, ...]
    labels: tuple[tuple[str, str], ...]  # (text, language) of its rdfs:label


def read_registry(path: Path) -> list[RegistryFirm]:
    """The firms of ``ARTICLE_FIRMS`` as the registry describes them.

    :raises SystemExit: if a name is not a label of exactly one registry organization.
    """
    types: dict[str, set[str]] = {}
    labels: dict[str, set[tuple[str, str]]] = {}
    keys: dict[str, set[str]] = {}
    for quad in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE):
        subject, predicate, obj = quad.subject, quad.predicate.value, quad.object
        if not isinstance(subject, pyoxigraph.NamedNode):
            continue
        if predicate == RDF_TYPE and isinstance(obj, pyoxigraph.NamedNode):
            types.setdefault(subject.value, set()).add(obj.value)
        elif predicate in (RDFS_LABEL, SKOS_ALT_LABEL) and isinstance(obj, pyoxigraph.Literal):
            keys.setdefault(normalize_name(obj.value), set()).add(subject.value)
            if predicate == RDFS_LABEL:
                labels.setdefault(subject.value, set()).add((obj.value, obj.language or ""))
    firms = []
    for en, ko in ARTICLE_FIRMS:
        found = {name: keys.get(normalize_name(name), set()) for name in (en, ko)}
        iris = set().union(*found.values())
        if any(len(v) != 1 for v in found.values()) or len(iris) != 1:
            raise SystemExit(f"error: {en!r}/{ko!r} is not one organization of {path}: {found}")
        iri = iris.pop()
        firms.append(
            RegistryFirm(
                iri, en, ko, tuple(sorted(types.get(iri, ()))), tuple(sorted(labels.get(iri, ())))
            )
        )
    return firms


def domain_tags() -> dict[str, str]:
    """Each domain word of ``DOMAIN_WORDS`` with its concept's tag.

    :raises SystemExit: if a word is not a label of ``ontology/domains.ttl``.
    """
    labels = domain_labels(OntologyBundle.from_dir(ROOT / "ontology"))
    tags: dict[str, str] = {}
    for pair in DOMAIN_WORDS:
        for word in pair:
            if word not in labels:
                raise SystemExit(f"error: {word!r} is not a technology-domain label")
            tags[word] = labels[word]
    return tags


# --------------------------------------------------------------------------------------------
# Articles
# --------------------------------------------------------------------------------------------


def _with_particle(name: str, particle: str) -> str:
    """``name`` followed by the form of a Korean particle its last syllable takes."""
    after_consonant, after_vowel = PARTICLES[particle]
    last = name[-1]
    if "가" <= last <= "힣":
        return name + (after_consonant if (ord(last) - 0xAC00) % 28 else after_vowel)
    return name + after_vowel


def _fill(template: str, names: Sequence[str], domain: str, number: int, korean: bool) -> str:
    text = template
    for slot, name in zip("abc", names, strict=False):
        if korean:
            for particle in PARTICLES:
                text = text.replace(f"{{{slot}:{particle}}}", _with_particle(name, particle))
        text = text.replace(f"{{{slot}}}", name)
    return text.replace("{d}", domain).replace("{n}", str(number))


def article_file(rng: random.Random, n: int, korean: bool, seed: int) -> str:
    """One article file: front matter, then a body of about ``ARTICLE_BYTES`` bytes."""
    deals, fillers, titles = (
        (KO_DEALS, KO_FILLERS, KO_TITLES) if korean else (EN_DEALS, EN_FILLERS, EN_TITLES)
    )
    column = 1 if korean else 0
    names = [pair[column] for pair in ARTICLE_FIRMS]
    domains = [pair[column] for pair in DOMAIN_WORDS]
    # Better known firms appear more often, as in the press.
    weights = [1.0 / (rank + 2) for rank in range(len(names))]
    lead = rng.choices(names, weights=weights, k=1)[0]
    topic = rng.choice(domains)
    sentences: list[str] = []
    deal_sentences = rng.randint(4, 7)
    positions = set(rng.sample(range(4, 24), deal_sentences))
    index = 0
    size = 0
    while size < ARTICLE_BYTES:
        if index in positions or index == 1:
            template = rng.choice(deals)
            parties = 3 if "{c" in template else 2
            others = [x for x in names if x != lead]
            chosen = [lead, *rng.sample(others, parties - 1)]
            rng.shuffle(chosen)
            domain = topic if rng.random() < 0.6 else rng.choice(domains)
        else:
            template = rng.choice(fillers)
            chosen = [rng.choices(names, weights=weights, k=1)[0]]
            domain = rng.choice(domains)
        sentence = _fill(template, chosen, domain, rng.randint(2, 40), korean)
        sentences.append(sentence)
        size += len(sentence.encode("utf-8")) + 1
        index += 1
    paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
    other = rng.choice([x for x in names if x != lead])
    title = _fill(rng.choice(titles), [lead, other], topic, 0, korean)
    published = date(2023, 1, 1) + timedelta(days=rng.randrange(3 * 365))
    language = "ko" if korean else "en"
    front = (
        "---\n"
        f"url: https://news.example.com/bench/{seed}/{n:05d}\n"
        f"title: {title}\n"
        f"publisher: {rng.choice(PUBLISHERS)}\n"
        f"published: {published.isoformat()}\n"
        f"language: {language}\n"
        "---\n"
    )
    return front + "\n\n".join(paragraphs) + "\n"


@dataclass(frozen=True)
class ArticleSet:
    """The measured articles (one folder, what the batch ingests) and the warm-up ones."""

    folder: Path
    measured: tuple[Path, ...]
    warm_up: tuple[Path, ...]

    def mean_bytes(self) -> float:
        return statistics.fmean(len(p.read_bytes()) for p in self.measured)


def write_articles(workdir: Path, count: int, seed: int) -> ArticleSet:
    """``count`` articles alternating English and Korean, plus the warm-up articles."""
    rng = random.Random(seed)
    folder = workdir / "articles"
    warm_folder = workdir / "warm-up"
    folder.mkdir()
    warm_folder.mkdir()
    measured: list[Path] = []
    warm_up: list[Path] = []
    for n in range(WARM_UP_ARTICLES + count):
        index = n if n < WARM_UP_ARTICLES else n - WARM_UP_ARTICLES
        language = "ko" if index % 2 else "en"
        text = article_file(rng, n, language == "ko", seed)
        if n < WARM_UP_ARTICLES:
            path = warm_folder / f"warm-up-{index:03d}-{language}.md"
            warm_up.append(path)
        else:
            path = folder / f"article-{index:05d}-{language}.md"
            measured.append(path)
        path.write_text(text, encoding="utf-8")
    return ArticleSet(folder, tuple(measured), tuple(warm_up))


# --------------------------------------------------------------------------------------------
# The synthetic preload
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preload:
    """The generated N-Quads files and what they hold."""

    sources_path: Path
    derived_path: Path
    source_quads: int
    derived_quads: int
    firms: int
    graphs: int
    relationships: int
    registry_relationships: int

    @property
    def quads(self) -> int:
        return self.source_quads + self.derived_quads


def _firm_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    combos = len(SYLLABLES) ** 2 * len(SUFFIXES)
    names: list[tuple[str, str]] = []
    for combo in rng.sample(range(combos), min(count, combos)):
        first, rest = divmod(combo, len(SYLLABLES) * len(SUFFIXES))
        second, suffix = divmod(rest, len(SUFFIXES))
        en = f"{SYLLABLES[first][0]}{SYLLABLES[second][0].lower()} {SUFFIXES[suffix][0]}"
        ko = f"{SYLLABLES[first][1]}{SYLLABLES[second][1]}{SUFFIXES[suffix][1]}"
        names.append((en, ko))
    while len(names) < count:  # more firms than name combinations: number the extra ones
        en, ko = names[len(names) % combos]
        names.append((f"{en} {len(names)}", f"{ko} {len(names)}"))
    return names


def _zipf(rng: random.Random, count: int, exponent: float) -> tuple[list[int], list[float]]:
    """A shuffled order of ``range(count)`` and cumulative weights: a few hubs, a long tail."""
    order = list(range(count))
    rng.shuffle(order)
    cumulative: list[float] = []
    total = 0.0
    for rank in range(count):
        total += 1.0 / (rank + 3) ** exponent
        cumulative.append(total)
    return order, cumulative


def generate_preload(
    workdir: Path, target: int, seed: int, registry: Sequence[RegistryFirm], tags: Sequence[str]
) -> Preload:
    """Write about ``target`` quads: source graphs as N-Quads, and their derived graph apart.

    The same ``target`` and ``seed`` give the same files, byte for byte.
    """
    rng = random.Random(seed + 1)
    n_firms = max(50, target // QUADS_PER_FIRM)
    names = _firm_names(rng, n_firms)
    firm_iris = [f"{ID}org/firm-{n}" for n in range(1, n_firms + 1)]
    firm_order, firm_weights = _zipf(rng, n_firms, 0.8)
    registry_order, registry_weights = _zipf(rng, len(registry), 1.2)
    # A participant is ("s", index) for a synthetic firm or ("r", index) for a registry one.
    partners: set[tuple[str, str]] = set()

    sources_path = workdir / "preload.nq"
    derived_path = workdir / "preload-derived.nq"
    rdf_type, label = _iri(RDF_TYPE), _iri(RDFS_LABEL)
    firm_type = _iri(AG + "Firm")
    integer, decimal, xsd_date = XSD + "integer", XSD + "decimal", XSD + "date"
    written = 0
    graphs = 0
    relationships = 0
    with_registry = 0
    start = date(2015, 1, 1)
    span = (date(2025, 12, 31) - start).days
    with sources_path.open("w", encoding="utf-8") as out:
        while written + len(partners) < target:
            graphs += 1
            triples: list[tuple[str, str, str]] = []
            add = triples.append
            source = _iri(f"{ID}source/synthetic-{graphs}")
            korean = rng.random() < 0.5
            published = start + timedelta(days=rng.randrange(span))
            add((source, rdf_type, _iri(AG + "NewsArticle")))
            add((source, _iri(SCHEMA + "datePublished"), _lit(str(published), datatype=xsd_date)))
            add((source, _iri(SCHEMA + "inLanguage"), _lit("ko" if korean else "en")))
            add((source, _iri(SCHEMA + "url"), _iri(f"https://news.example.com/s/{graphs}")))
            add((source, _iri(SCHEMA + "publisher"), _lit(rng.choice(PUBLISHERS))))
            mentioned: set[int] = set()
            mentioned_registry: set[int] = set()
            offset = rng.randrange(40, 400)
            for _ in range(rng.choice((1, 1, 2, 2, 2, 3))):
                relationships += 1
                rel = _iri(f"{ID}rel/synthetic-{relationships}")
                evidence = _iri(f"{ID}evidence/synthetic-{relationships}")
                kind, en_cue, ko_cue = rng.choice(DEAL_KINDS)
                size = rng.choice((2, 2, 2, 3, 3, 4))
                parties: set[int] = set()
                registry_parties: set[int] = set()
                if rng.random() < REGISTRY_SHARE:
                    with_registry += 1
                    pick = rng.choices(registry_order, cum_weights=registry_weights)[0]
                    registry_parties.add(pick)
                while len(parties) + len(registry_parties) < size:
                    parties.add(rng.choices(firm_order, cum_weights=firm_weights)[0])
                participants = [firm_iris[p] for p in sorted(parties)]
                participants += [registry[r].iri for r in sorted(registry_parties)]
                add((rel, rdf_type, _iri(AG + kind)))
                for participant in participants:
                    add((rel, _iri(AG + "participant"), _iri(participant)))
                for tag in sorted(set(rng.sample(tags, rng.choice((1, 1, 2))))):
                    add((rel, _iri(AG + "domain"), _iri(DOMAIN + tag)))
                if rng.random() < 0.5:
                    announced = published - timedelta(days=rng.randrange(4))
                    add((rel, _iri(AG + "announcedOn"), _lit(str(announced), datatype=xsd_date)))
                    add((rel, _iri(AG + "datePrecision"), _iri(AG + "Day")))
                add((rel, _iri(AG + "status"), _iri(AG + "Announced")))
                add((rel, _iri(PROV + "wasDerivedFrom"), source))
                add((rel, _iri(PROV + "qualifiedDerivation"), evidence))
                party_names = [names[p][1 if korean else 0] for p in sorted(parties)]
                party_names += [
                    registry[r].ko if korean else registry[r].en for r in sorted(registry_parties)
                ]
                quote = (
                    f"{', '.join(party_names)} {ko_cue} 발표."
                    if korean
                    else f"{', '.join(party_names)} announced a {en_cue}."
                )
                end = offset + len(quote)
                add((evidence, rdf_type, _iri(AG + "Evidence")))
                add((evidence, _iri(PROV + "entity"), source))
                add((evidence, _iri(AG + "quote"), _lit(quote)))
                add((evidence, _iri(AG + "charStart"), _lit(str(offset), datatype=integer)))
                add((evidence, _iri(AG + "charEnd"), _lit(str(end), datatype=integer)))
                add((evidence, _iri(AG + "confidence"), _lit("0.50", datatype=decimal)))
                add((evidence, _iri(AG + "cue"), _lit(ko_cue if korean else en_cue)))
                offset = end + rng.randrange(20, 400)
                partners.update((a, b) for a in participants for b in participants if a != b)
                mentioned |= parties
                mentioned_registry |= registry_parties
            for p in sorted(mentioned):
                firm = _iri(firm_iris[p])
                en, ko = names[p]
                add((firm, rdf_type, firm_type))
                add((firm, label, _lit(en, lang="en")))
                add((firm, label, _lit(ko, lang="ko")))
            for r in sorted(mentioned_registry):
                firm = _iri(registry[r].iri)
                triples += [(firm, rdf_type, _iri(t)) for t in registry[r].types]
                triples += [(firm, label, _lit(t, lang=lang)) for t, lang in registry[r].labels]
            graph = _iri(f"{GRAPH}source/synthetic-{graphs}")
            out.writelines(f"{s} {p} {o} {graph} .\n" for (s, p, o) in triples)
            written += len(triples)
    partner_of, derived = _iri(AG + "partnerOf"), _iri(DERIVED_GRAPH)
    with derived_path.open("w", encoding="utf-8") as out:
        out.writelines(f"<{a}> {partner_of} <{b}> {derived} .\n" for a, b in sorted(partners))
    return Preload(
        sources_path=sources_path,
        derived_path=derived_path,
        source_quads=written,
        derived_quads=len(partners),
        firms=n_firms,
        graphs=graphs,
        relationships=relationships,
        registry_relationships=with_registry,
    )


# --------------------------------------------------------------------------------------------
# Stores
# --------------------------------------------------------------------------------------------


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def find_tool(name: str) -> str:
    """The ``alliancegraph`` command next to this interpreter, else on the PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"error: {name} not found; run `make test` or `pip install -e .` first")
    return found


def run_cli(args: Sequence[str], log: Path) -> float:
    """Run ``alliancegraph ARGS``, output to ``log``; return the wall time in seconds.

    :raises SystemExit: if the command fails, with the end of its output.
    """
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        code = subprocess.run(
            [find_tool("alliancegraph"), *args], stdout=out, stderr=subprocess.STDOUT, check=False
        ).returncode
    elapsed = time.perf_counter() - started
    if code != 0:
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-20:])
        raise SystemExit(f"error: alliancegraph {' '.join(args)} exited {code}:\n{tail}")
    return elapsed


def count_quads(store_dir: Path) -> int:
    store = pyoxigraph.Store(str(store_dir))
    try:
        return len(store)
    finally:
        del store
        gc.collect()


def bulk_load_derived(store_dir: Path, path: Path) -> float:
    """Write the derived graph with pyoxigraph's bulk loader; return the time it took."""
    started = time.perf_counter()
    store = pyoxigraph.Store(str(store_dir))
    try:
        store.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.N_QUADS)
        store.flush()
    finally:
        del store
        gc.collect()
    return time.perf_counter() - started


# --------------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------------


@dataclass
class LatencyResult:
    """Per-article ingestion times in one store, and what the articles produced."""

    quads_before: int
    index_names: int = 0
    index_seconds: float = 0.0
    warm_up_seconds: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    relationships: int = 0
    relationship_iris: dict[str, list[str]] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)

    @property
    def distinct_relationships(self) -> int:
        return len({iri for iris in self.relationship_iris.values() for iri in iris})

    @property
    def throughput(self) -> float:
        total = sum(self.seconds)
        return len(self.seconds) / total if total else float("nan")


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def read_articles(paths: Sequence[Path]) -> list[tuple[str, ArticleIn]]:
    return [(p.name, parse_article_file(p.read_text(encoding="utf-8"), p.name)) for p in paths]


def measure_latency(store_dir: Path, articles: ArticleSet, title: str) -> LatencyResult:
    """Ingest the warm-up articles, then time each measured article, in-process."""
    result = LatencyResult(quads_before=count_quads(store_dir))
    warm_up = read_articles(articles.warm_up)
    measured = read_articles(articles.measured)
    context = ServiceContext(Settings(store=store_dir))
    try:
        ingestor = Ingestor(context)
        started = time.perf_counter()
        names, _ = ingestor.extraction_setup()  # builds the alias index
        result.index_seconds = time.perf_counter() - started
        result.index_names = len(names)
        say(f"  alias index: {len(names)} names in {result.index_seconds:.2f} s")
        for name, article in warm_up:
            started = time.perf_counter()
            try:
                ingestor.ingest_article(article)
            except AllianceGraphError as error:
                raise SystemExit(f"error: warm-up article {name} was rejected: {error}") from None
            result.warm_up_seconds.append(time.perf_counter() - started)
        for number, (name, article) in enumerate(measured, start=1):
            started = time.perf_counter()
            try:
                ingested = ingestor.ingest_article(article)
            except AllianceGraphError as error:
                result.seconds.append(time.perf_counter() - started)
                result.rejected.append(f"{name}: {error}")
                continue
            result.seconds.append(time.perf_counter() - started)
            iris = sorted(str(r["iri"]) for r in ingested.relationships)
            result.relationships += len(iris)
            result.relationship_iris[name] = iris
            if number % 25 == 0 or number == len(measured):
                say(
                    f"  {title}: {number}/{len(measured)} articles, median so far "
                    f"{ms(statistics.median(result.seconds))} ms"
                )
    finally:
        context.close()
        del context
        gc.collect()
    return result


@dataclass(frozen=True)
class BatchResult:
    jobs: int
    seconds: float
    accepted: int
    rejected: int

    @property
    def throughput(self) -> float:
        return (self.accepted + self.rejected) / self.seconds


def measure_batch(template: Path, articles: ArticleSet, jobs: int, workdir: Path) -> BatchResult:
    """``alliancegraph ingest`` of the article folder into a fresh copy of ``template``."""
    store = workdir / f"batch-jobs{jobs}-store"
    shutil.copytree(template, store)
    report = workdir / f"batch-jobs{jobs}-report.jsonl"
    # Linking to Wikidata is measured on its own: it depends on a remote endpoint.
    command = [
        "--store",
        str(store),
        "ingest",
        str(articles.folder),
        "--jobs",
        str(jobs),
        "--no-link",
    ]
    seconds = run_cli([*command, "--report", str(report)], workdir / f"batch-jobs{jobs}.log")
    statuses = [
        json.loads(line)["status"]
        for line in report.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return BatchResult(jobs, seconds, statuses.count("accepted"), statuses.count("rejected"))


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    """Milliseconds with three significant digits (two decimals below 10 ms)."""
    value = seconds * 1000
    if value != value:  # NaN
        return "n/a"
    if value < 10:
        return f"{value:.2f}"
    if value < 100:
        return f"{value:.1f}"
    return f"{value:.0f}"


def markdown_table(
    empty: LatencyResult,
    preloaded: LatencyResult,
    preload_seconds: tuple[float, float],
    batches: Sequence[BatchResult],
) -> str:
    rows = ["| | empty store | preloaded store |", "|---|---:|---:|"]

    def row(label: str, left: str, right: str) -> None:
        rows.append(f"| {label} | {left} | {right} |")

    load_s, derived_s = preload_seconds
    row(
        "quads in the store before the articles",
        f"{empty.quads_before:,}",
        f"{preloaded.quads_before:,}",
    )
    row(
        "preload (s): `load --no-validate` + derived graph",
        "—",
        f"{load_s + derived_s:.1f} ({load_s:.1f} + {derived_s:.1f})",
    )
    row(
        "alias index: names / build (s)",
        f"{empty.index_names:,} / {empty.index_seconds:.2f}",
        f"{preloaded.index_names:,} / {preloaded.index_seconds:.2f}",
    )
    for label, pick in (
        ("per article: median ms", lambda r: statistics.median(r.seconds)),
        ("per article: p95 ms", lambda r: percentile(r.seconds, 0.95)),
        ("per article: mean ms", lambda r: statistics.fmean(r.seconds)),
    ):
        row(label, ms(pick(empty)), ms(pick(preloaded)))
    row(
        "sources/s (in-process, one at a time)",
        f"{empty.throughput:.2f}",
        f"{preloaded.throughput:.2f}",
    )
    ratio = statistics.median(preloaded.seconds) / statistics.median(empty.seconds)
    row("median latency vs empty store (target ≤ 1.2×)", "1.00×", f"{ratio:.2f}×")
    row(
        "relationships produced (distinct)",
        f"{empty.relationships:,} ({empty.distinct_relationships:,})",
        f"{preloaded.relationships:,} ({preloaded.distinct_relationships:,})",
    )
    row(
        "articles accepted / rejected",
        f"{len(empty.seconds) - len(empty.rejected)} / {len(empty.rejected)}",
        f"{len(preloaded.seconds) - len(preloaded.rejected)} / {len(preloaded.rejected)}",
    )
    for batch in batches:
        row(
            f"batch `ingest --jobs {batch.jobs}`: wall s / sources/s",
            f"{batch.seconds:.1f} / {batch.throughput:.2f}",
            "—",
        )
    return "\n".join(rows)


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark article ingestion into an empty store and into one preloaded "
        "with about a million synthetic quads, and batch throughput with --jobs 1 and 2.",
    )
    parser.add_argument(
        "--articles", type=int, default=200, help="articles to ingest (default 200)"
    )
    parser.add_argument(
        "--preload-quads",
        type=int,
        default=1_000_000,
        help="size of the preloaded store's synthetic data (default 1000000)",
    )
    parser.add_argument("--seed", type=int, default=42, help="seed of articles and preload")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    if args.articles < 2:
        parser.error("--articles must be at least 2")
    if args.preload_quads < 1000:
        parser.error("--preload-quads must be at least 1000")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    find_tool("alliancegraph")
    # SIGTERM unwinds like Ctrl-C, so the temporary folder is removed either way.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="alliancegraph-bench-ingest-"))
    try:
        return run(args, workdir)
    finally:
        if args.keep:
            say(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, workdir: Path) -> int:
    registry = read_registry(REGISTRY)
    tags = sorted(set(domain_tags().values()))

    say(f"writing {args.articles} articles (+{WARM_UP_ARTICLES} warm-up) in {workdir}")
    articles = write_articles(workdir, args.articles, args.seed)
    say(f"  mean size {articles.mean_bytes():.0f} bytes")

    say(f"generating about {args.preload_quads} synthetic quads (seed {args.seed})")
    started = time.perf_counter()
    preload = generate_preload(workdir, args.preload_quads, args.seed, registry, tags)
    say(
        f"  {preload.source_quads} source quads + {preload.derived_quads} derived: "
        f"{preload.firms} firms, {preload.graphs} source graphs, {preload.relationships} "
        f"relationships ({preload.registry_relationships} with a registry firm) "
        f"({time.perf_counter() - started:.1f} s)"
    )

    say("preparing the stores")
    template = workdir / "template-store"
    run_cli(
        ["--store", str(template), "load", "--graph", REFERENCE_GRAPH, str(REGISTRY)],
        workdir / "template.log",
    )
    empty_store = workdir / "empty-store"
    preloaded_store = workdir / "preloaded-store"
    shutil.copytree(template, empty_store)
    shutil.copytree(template, preloaded_store)
    load_s = run_cli(
        ["--store", str(preloaded_store), "load", "--no-validate", str(preload.sources_path)],
        workdir / "preload.log",
    )
    derived_s = bulk_load_derived(preloaded_store, preload.derived_path)
    say(f"  preload: load --no-validate {load_s:.1f} s, derived graph {derived_s:.1f} s")

    say("latency per article: empty store")
    empty = measure_latency(empty_store, articles, "empty")
    say("latency per article: preloaded store")
    preloaded = measure_latency(preloaded_store, articles, "preloaded")

    batches = []
    for jobs in (1, 2):
        say(f"batch: alliancegraph ingest --jobs {jobs}")
        batches.append(measure_batch(template, articles, jobs, workdir))
        say(f"  {batches[-1].seconds:.1f} s")

    checks: list[str] = []
    if empty.relationship_iris == preloaded.relationship_iris:
        checks.append(
            f"ok: both stores produced the same {empty.relationships} relationships "
            f"({empty.distinct_relationships} distinct)"
        )
    else:
        differing = sorted(
            name
            for name in set(empty.relationship_iris) | set(preloaded.relationship_iris)
            if empty.relationship_iris.get(name) != preloaded.relationship_iris.get(name)
        )
        checks.append(
            f"WARNING: the stores produced different relationships for {len(differing)} "
            f"article(s), e.g. {', '.join(differing[:5])}"
        )
    for title, result in (("empty", empty), ("preloaded", preloaded)):
        for rejected in result.rejected[:5]:
            checks.append(f"WARNING: {title} store rejected {rejected}")
    for batch in batches:
        if batch.rejected or batch.accepted != args.articles:
            checks.append(
                f"WARNING: batch --jobs {batch.jobs}: {batch.accepted} accepted, "
                f"{batch.rejected} rejected of {args.articles}"
            )

    english = sum(1 for p in articles.measured if p.stem.endswith("-en"))
    print()
    print(
        f"Articles: {args.articles} ({english} English, {args.articles - english} Korean, "
        f"mean {articles.mean_bytes() / 1024:.1f} KB), seed {args.seed}, "
        f"{WARM_UP_ARTICLES} warm-up articles not counted. Preload: {preload.quads:,} quads "
        f"({preload.source_quads:,} in {preload.graphs:,} source graphs, "
        f"{preload.derived_quads:,} derived), {preload.firms:,} synthetic firms, "
        f"{preload.relationships:,} relationships, "
        f"{preload.registry_relationships:,} of them with a registry firm."
    )
    print()
    print(markdown_table(empty, preloaded, (load_s, derived_s), batches))
    print()
    print(environment_line())
    print()
    for line in checks:
        print(line)
    return 1 if any(line.startswith("WARNING") for line in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
