"""The article extractor: Korean and English business news into sourced relationships.

For each sentence, in order: the organizations it names (known ones, ones the text shows to be
organizations, persons standing for their organization, and references back such as 양사 or
"the two companies"), the relationship cues of ``lexicon/patterns.tsv``, and then:

- a negated sentence gives nothing; a hedged one gives status Speculated, a signed one Signed;
- a statement that groups several firms on each side without pairing them gives nothing;
- meetings, investments and supply deals pair the subject with each other party; joint
  ventures, MOUs, co-development and partnerships join all parties in one relationship;
  memberships give one relationship per member of the alliance named (or last named);
- the date is the sentence's (each of several dates goes with the cue after it), else the date
  of the latest earlier sentence naming the same parties; domains are the sentence's, else its
  paragraph's; the event is the one the sentence names.

Confidence means: 0.85 for a specific deal the text states (joint venture, MOU, supply,
investment, membership, co-development), 0.75 for a general partnership or a meeting, +0.05
when signed, -0.1 when a party was found only through a reference or an omitted subject, and
halved when the text only presumes it. A co-mention without a cue gives nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache

from service.dates import Precision
from service.extract.gazetteer import Gazetteer
from service.extract.korean import Token, analyzer
from service.extract.lexicon import patterns, places
from service.extract.mentions import (
    OrgMention,
    Person,
    describes_a_place,
    english_persons,
    english_unknown,
    known_mentions,
    korean_aliases,
    korean_persons,
    korean_unknown,
    person_names,
)
from service.extract.model import (
    ArticleText,
    EvidenceSpan,
    ExtractedRelationship,
    Extraction,
    Mention,
    PersonMention,
    Span,
)
from service.extract.sentences import Sentence, split
from service.extract.when import DateMention, find_dates
from service.ingest.names import normalize_name

PRIORITY = {
    "JointVentureAgreement": 8,
    "MemorandumOfUnderstanding": 7,
    "AllianceMembership": 6,
    "Investment": 5,
    "SupplyAgreement": 4,
    "CoDevelopment": 3,
    "Partnership": 2,
    "Meeting": 1,
}
_STAR_KINDS = frozenset({"Meeting", "Investment", "SupplyAgreement"})
_PARTNERSHIP_FAMILY = frozenset(
    {
        "Partnership",
        "MemorandumOfUnderstanding",
        "CoDevelopment",
        "SupplyAgreement",
        "JointVentureAgreement",
    }
)
_BASE_CONFIDENCE = {"Partnership": 0.75, "Meeting": 0.75}
_EVENT = re.compile(
    r"(?<![\w-])(?P<event>(?!(?:January|February|March|April|May|June|July|August|September"
    r"|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|In|Since|By)\b)"
    r"[A-Z][A-Za-z]{1,15}(?: [A-Z][A-Za-z]{1,15})? (?:19|20)\d{2})(?![A-Za-z0-9-])"
)
_KOREAN_SUBJECT = re.compile(r"(?<=[\w)'’\]])(?:은|는|이|가)(?=\s)")
_ALLIANCE_REFERENCE = re.compile(
    r"(?:(?<=이 )|(?<![가-힣\w]))(?:얼라이언스|컨소시엄|연합체?|협의체)"
    r"(?=은|는|에는|에|의|이|가|측)"
    r"|\bthe (?:alliance|consortium|coalition|forum)\b",
    re.IGNORECASE,
)
_KOREAN_TOPIC = re.compile(r"(?:은|는|이|가)(?![가-힣])")  # used with match(text, pos)
_HISTORY = 4
_DATELINE = re.compile(
    r"^[A-Z][A-Za-z .,'-]{1,40}, [A-Z][a-z]{2,8}\.? \d{1,2} \([^)]{2,60}\) [-–—]"
)
_SAME_DAY = re.compile(r"같은\s?날|당일|the same day", re.IGNORECASE)
_FOUNDING = re.compile(
    r"창립|출범|결성|발족|founding|co-found|\b(?:launched|founded|formed|established|set up)\b",
    re.IGNORECASE,
)
# A reference that describes its organization by origin ("the Swedish company").
_DESCRIBED = re.compile(
    r"\b(?!Seoul-based)[A-Z][a-z]+(?:-based)?\b"
)  # how many sentences back references and omitted subjects look


@dataclass(frozen=True)
class _Cue:
    start: int
    end: int
    kind: str
    text: str


@dataclass
class _Found:
    """A relationship under construction."""

    kind: str
    participants: list[str]
    sentence: Sentence
    cue: str
    domains: tuple[str, ...]
    on: date | None
    precision: Precision | None
    status: str
    event: str | None
    confidence: float
    place: str | None = None
    founding: bool = False
    evidence: list[EvidenceSpan] = field(default_factory=list)


@dataclass
class _SentenceFacts:
    sentence: Sentence
    organizations: list[OrgMention]
    dates: list[DateMention]


def _key(name: str) -> str:
    return normalize_name(name)


def _distinct(names: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(_key(name), name)
    return list(seen.values())


def _any(category: str, language: str, text: str) -> re.Match[str] | None:
    for pattern in patterns(language).get(category, ()):
        match = pattern.regex.search(text)
        if match:
            return match
    return None


def _without(category: str, language: str, text: str) -> str:
    """``text`` with the matches of ``category`` blanked out (same length)."""
    for pattern in patterns(language).get(category, ()):
        text = pattern.regex.sub(lambda m: " " * len(m.group()), text)
    return text


def _cues(text: str, language: str) -> list[_Cue]:
    """The relationship cues of a sentence, longest first where they overlap."""
    found = [
        _Cue(m.start(), m.end(), p.value, m.group())
        for p in patterns(language).get("cue", ())
        for m in p.regex.finditer(text)
    ]
    found.sort(key=lambda c: (-(c.end - c.start), c.start))
    kept: list[_Cue] = []
    for cue in found:
        if not any(cue.start < k.end and k.start < cue.end for k in kept):
            kept.append(cue)
    return sorted(kept, key=lambda c: c.start)


class ArticleExtractor:
    """Relationships from Korean and English news; names it knows come from the store."""

    def __init__(self, organization_names: Iterable[str], domain_labels: Mapping[str, str]) -> None:
        names = list(organization_names)
        self._names: Gazetteer[str] = Gazetteer((n, n) for n in names)
        self._pending_korean = set(names)
        self._domains: Gazetteer[str] = Gazetteer(domain_labels.items())
        self._domain_words = frozenset(domain_labels)

    def add_names(self, names: Iterable[str]) -> None:
        """Learn more organization names (cheap: no rebuild)."""
        for name in names:
            self._names.add(name, name)
            self._pending_korean.add(name)

    def korean_tokens(self, text: str) -> list[Token]:
        """Kiwi's morphemes of a sentence, once the analyzer knows every name given so far."""
        korean = analyzer()
        if self._pending_korean:
            korean.add_names(self._pending_korean)
            self._pending_korean = set()
        return korean.tokens(text)

    def extract(self, article: ArticleText) -> Extraction:
        return _ArticleRun(self, article).run()

    # What a run needs from the extractor.
    def known(self, text: str, offset: int, language: str) -> list[OrgMention]:
        return known_mentions(text, offset, self._names, language)

    def domains(self, text: str) -> set[str]:
        return {m.payloads[0] for m in self._domains.find(text)}

    @property
    def domain_words(self) -> frozenset[str]:
        return self._domain_words


class _ArticleRun:
    """The state of extracting one article: what earlier sentences named and found."""

    def __init__(self, extractor: ArticleExtractor, article: ArticleText) -> None:
        self.extractor = extractor
        self.article = article
        self.language = "ko" if article.language == "ko" else "en"
        self.sentences = split(article.text)
        self.history: list[_SentenceFacts] = []
        self.persons: list[Person] = []
        self.person_index: Gazetteer[str] = Gazetteer()
        self.local: Gazetteer[str] = Gazetteer()
        self.topic: str | None = None
        self.short_names: set[str] = set()
        self.aliases: dict[str, list[str]] = {}
        self.found: list[_Found] = []
        self.mentions: list[OrgMention] = []
        self.last_alliance: tuple[int, str] | None = None
        self._paragraph_domains: dict[int, tuple[str, ...]] = {}

    def run(self) -> Extraction:
        if self.language == "en":
            # Short forms ("Samsung" after "Samsung Electronics") hold for the whole article,
            # headline included.
            for sentence in self.sentences:
                text, offset = sentence.span.text, sentence.span.start
                for mention in self.extractor.known(text, offset, self.language):
                    self._learn_short_name(
                        text[mention.start - offset : mention.end - offset], mention.name
                    )
        for sentence in self.sentences:
            self._sentence(sentence)
        self._inherit_dates()
        relationships = [
            self._relationship(f) for f in _merged(_without_covered_meetings(self.found))
        ]
        return Extraction(
            relationships=relationships,
            mentions=[
                Mention(m.name, Span(m.start, m.end, self.article.text[m.start : m.end]), m.kind)
                for m in self.mentions
            ],
            aliases=self.aliases,
            persons=list(
                {
                    p.name: PersonMention(p.name, p.role, p.organization) for p in self.persons
                }.values()
            ),
        )

    # --- mentions -------------------------------------------------------------------------

    def _organizations(self, sentence: Sentence, cues: list[_Cue]) -> list[OrgMention]:
        text, offset = sentence.span.text, sentence.span.start
        known = _merge(
            self.extractor.known(text, offset, self.language),
            known_mentions(text, offset, self.local, self.language),
        )
        if self.language == "ko":
            needs_analysis = bool(cues) or _any("role", "ko", text) is not None
            tokens = self.extractor.korean_tokens(text) if needs_analysis else []
            unknown = (
                korean_unknown(text, offset, tokens, known, self.extractor.domain_words)
                if tokens
                else []
            )
            organizations = [
                m
                for m in sorted([*known, *unknown], key=lambda m: m.start)
                if not describes_a_place(text, m.end - offset)
            ]
            if tokens:
                self._learn_persons(korean_persons(text, offset, tokens, organizations))
            aliases = korean_aliases(text, offset, organizations)
        else:
            unknown = english_unknown(text, offset, known, person_names(self.persons))
            # A longer name found from the text wins over a known name inside it ("LG" in
            # "LG Display Co.").
            known = [
                k for k in known if not any(k.start < u.end and u.start < k.end for u in unknown)
            ]
            organizations = sorted([*known, *unknown], key=lambda m: m.start)
            self._learn_persons(english_persons(text, offset, organizations))
            aliases = {}
        # Names this article showed to be organizations are found in its later sentences too.
        for mention in unknown:
            self.local.add(mention.name, mention.name)
        for alias, name in aliases.items():
            self.local.add(alias, name)
            known_aliases = self.aliases.setdefault(name, [])
            if alias not in known_aliases:
                known_aliases.append(alias)
        if self.language == "en":
            for mention in organizations:
                self._learn_short_name(
                    text[mention.start - offset : mention.end - offset], mention.name
                )
        self.mentions.extend(organizations)
        return organizations

    def _learn_short_name(self, surface: str, name: str) -> None:
        """After "Hanbit Semiconductor" or "Samsung Electronics", a later "Hanbit" or
        "Samsung" is the same firm (the first one so named, in this article)."""
        words = surface.split()
        first = words[0].rstrip(".,")
        short = len(first) < 3 and not first.isupper()
        if len(words) < 2 or short or not first[0].isupper() or first in self.short_names:
            return
        if first.lower() in ("the", "new", "global", "korea", "first"):
            return
        self.short_names.add(first)
        self.local.add(first, name)

    def _learn_persons(self, persons: Sequence[Person]) -> None:
        for person in persons:
            self.persons.append(person)
            for alias in person.aliases:
                self.person_index.add(alias, person.organization)

    def _person_references(
        self, sentence: Sentence, taken: Sequence[OrgMention]
    ) -> list[OrgMention]:
        text, offset = sentence.span.text, sentence.span.start
        found = []
        for match in self.person_index.find(text):
            start, end = offset + match.start, offset + match.end
            if any(start < m.end and m.start < end for m in taken):
                continue
            found.append(OrgMention(match.payloads[-1], start, end))
        return found

    def _references(self, sentence: Sentence, explicit: Sequence[OrgMention]) -> list[OrgMention]:
        """Organizations that 양사, 이들, "the two companies" stand for."""
        text, offset = sentence.span.text, sentence.span.start
        found: list[OrgMention] = []
        for pattern in patterns(self.language).get("reference", ()):
            for match in pattern.regex.finditer(text):
                start, end = offset + match.start(), offset + match.end()
                if any(start < m.end and m.start < end for m in [*explicit, *found]):
                    continue
                if _appositive(text, match.start(), [m.end - offset for m in explicit]):
                    continue  # "A·B·C 등 통신 3사는": the list it follows is what it means
                names = self._referents(pattern.value, match.group(), sentence, start, explicit)
                found.extend(OrgMention(n, start, end) for n in names)
        return found

    def _referents(
        self,
        count: str,
        reference: str,
        sentence: Sentence,
        position: int,
        explicit: Sequence[OrgMention],
    ) -> list[str]:
        recent = [
            f
            for f in self.found
            if sentence.index - f.sentence.index <= _HISTORY and f.sentence.index < sentence.index
        ]
        if count == "1":
            return self._one_referent(reference, position, explicit)
        if count == "n":
            if recent:
                return list(recent[-1].participants)
            previous = self._previous_facts(sentence)
            names = _distinct(m.name for m in previous.organizations) if previous else []
            return names if len(names) >= 2 else []
        wanted = int(count)
        if recent and len(recent[-1].participants) == wanted:
            before_here = [m for m in explicit if m.end <= position]
            if not before_here:
                return list(recent[-1].participants)
        picked: list[str] = []
        keys: set[str] = set()
        candidates = [m for m in reversed(explicit) if m.end <= position]
        for facts in reversed(self.history[-_HISTORY:]):
            candidates.extend(reversed(facts.organizations))
        for mention in candidates:
            key = _key(mention.name)
            if key not in keys:
                keys.add(key)
                picked.append(mention.name)
            if len(picked) == wanted:
                return list(reversed(picked))
        return []

    def _one_referent(
        self, reference: str, position: int, explicit: Sequence[OrgMention]
    ) -> list[str]:
        """What "it", "the company", "the Swedish company" stand for: an organization named
        before it in the sentence; else, for a plain "the company", the one the text is about;
        else the one named last (not the one the text is about, when the reference describes
        another: "the Swedish company" after "SK Telecom … with Ericsson")."""
        before = [m for m in explicit if m.end <= position]
        if before:
            return [before[-1].name]
        # "the Swedish company" describes; "The company" or "It" opening a sentence does not.
        described = (
            _DESCRIBED.search(reference.split(" ", 1)[-1] if " " in reference else "") is not None
        )
        if self.topic and not described:
            return [self.topic]
        for facts in reversed(self.history[-_HISTORY:]):
            for mention in reversed(facts.organizations):
                if not described or self.topic is None or _key(mention.name) != _key(self.topic):
                    return [mention.name]
        return []

    def _previous_facts(self, sentence: Sentence) -> _SentenceFacts | None:
        if self.history and self.history[-1].sentence.paragraph == sentence.paragraph:
            return self.history[-1]
        return None

    # --- one sentence ---------------------------------------------------------------------

    def _sentence(self, sentence: Sentence) -> None:
        text = sentence.span.text
        cues = _cues(text, self.language)
        explicit = self._organizations(sentence, cues)
        people = self._person_references(sentence, explicit)
        references = self._references(sentence, [*explicit, *people])
        mentions = sorted([*explicit, *people, *references], key=lambda m: m.start)
        for mention in explicit:
            if mention.kind == "Alliance":
                self.last_alliance = (sentence.index, mention.name)
        dates = self._dates(text)
        previous = self._previous_facts(sentence)
        self.history.append(_SentenceFacts(sentence, mentions, dates))
        if not cues or self._negated(text):
            return
        if not mentions and previous is not None and self.language == "ko":
            # An omitted subject: the sentence continues the previous one's organizations,
            # when that one named them without saying what they did together.
            carried = _distinct(m.name for m in previous.organizations)
            stated = any(f.sentence.index == previous.sentence.index for f in self.found)
            if len(carried) >= 2 and not stated:
                mentions = [replace(m, start=sentence.span.start) for m in previous.organizations]
                self._relate(sentence, cues, mentions, dates, indirect=True)
            return
        subject = self._subject(sentence, mentions)
        topic = self.topic
        if subject is not None:
            self.topic = subject
        indirect = bool(references or people) and len(_distinct(m.name for m in explicit)) < 2
        named = _distinct(m.name for m in mentions)
        omitted = self.language == "ko" and subject is None
        if len(named) == 1 and omitted and topic and _key(topic) != _key(named[0]):
            # "같은 날 노키아와는 … 협약을 맺었다": the subject is the one the text is about.
            understood = OrgMention(topic, sentence.span.start, sentence.span.start)
            mentions = [understood, *mentions]
            indirect = True
        self._relate(sentence, cues, mentions, dates, indirect=indirect)

    def _subject(self, sentence: Sentence, mentions: Sequence[OrgMention]) -> str | None:
        """The organization the sentence is about: in Korean the one marked by 은/는/이/가,
        in English one that opens the sentence."""
        text, offset = sentence.span.text, sentence.span.start
        for mention in mentions:
            if self.language == "ko":
                if _KOREAN_TOPIC.match(text, mention.end - offset):
                    return mention.name
            elif mention.start - offset <= 4:
                return mention.name
        return None

    def _dates(self, text: str) -> list[DateMention]:
        """The sentence's dates, without its dateline ("SEOUL, March 4 (Agency) -"), and
        "the same day" as the date the text gave last."""
        dates = find_dates(text, self.language, self.article.published)
        dateline = _DATELINE.match(text)
        if dateline and len(dates) > 1:
            dates = [d for d in dates if d.start >= dateline.end()]
        if not dates and _SAME_DAY.search(text):
            for facts in reversed(self.history):
                if facts.dates:
                    return [replace(facts.dates[-1], start=0, end=0)]
        return dates

    def _negated(self, text: str) -> bool:
        return (
            _any("negation", self.language, _without("not_negation", self.language, text))
            is not None
        )

    def _kind(self, text: str, cues: Sequence[_Cue]) -> str:
        kind = max((c.kind for c in cues), key=lambda k: PRIORITY[k])
        if kind == "Partnership" and _any("discussion", self.language, text):
            return "Meeting"  # talking about cooperating is not yet a partnership
        return kind

    def _subject_end(self, sentence: Sentence, cues: Sequence[_Cue]) -> int:
        """Where the subject of the sentence ends (article offset)."""
        text, offset = sentence.span.text, sentence.span.start
        first_cue = cues[0].start
        if self.language == "ko":
            match = _KOREAN_SUBJECT.search(text)
            if match and match.start() < first_cue:
                return offset + match.start()
        return offset + first_cue

    def _relate(
        self,
        sentence: Sentence,
        cues: Sequence[_Cue],
        mentions: Sequence[OrgMention],
        dates: Sequence[DateMention],
        *,
        indirect: bool,
    ) -> None:
        text = sentence.span.text
        kind = self._kind(text, cues)
        if kind == "AllianceMembership":
            if self._memberships(sentence, cues, mentions, dates, indirect=indirect):
                return
            cues = [c for c in cues if c.kind != "AllianceMembership"]
            if not cues:
                return
            kind = self._kind(text, cues)
        names = _distinct(m.name for m in mentions)
        if len(names) < 2:
            return
        subject_end = self._subject_end(sentence, cues)
        subject = _distinct(m.name for m in mentions if m.end <= subject_end)
        rest = [n for n in names if _key(n) not in {_key(s) for s in subject}]
        if len(subject) >= 2 and len(rest) >= 2:
            return  # a group statement: several firms on each side, not paired
        star = kind in _STAR_KINDS or _any("each", self.language, text) is not None
        groups = [[subject[0], other] for other in rest] if star and len(subject) == 1 else [names]
        for when, cue in self._dated_cues(cues, dates, sentence, kind):
            for participants in groups:
                self.found.append(self._new(kind, participants, sentence, cue, when, indirect))

    def _dated_cues(
        self,
        cues: Sequence[_Cue],
        dates: Sequence[DateMention],
        sentence: Sentence,
        kind: str,
    ) -> list[tuple[DateMention | None, str]]:
        """Each date with the cue after it, when a sentence reports several dated deals."""
        own = [c for c in cues if c.kind == kind] or list(cues)
        if len(dates) < 2:
            return [(dates[0] if dates else None, own[0].text)]
        offset = sentence.span.start
        paired: list[tuple[DateMention | None, str]] = []
        for number, mention in enumerate(dates):
            limit = dates[number + 1].start if number + 1 < len(dates) else len(sentence.span.text)
            after = [c for c in own if mention.end <= c.start < limit]
            if after:
                paired.append((mention, after[0].text))
        del offset
        return paired or [(dates[0], own[0].text)]

    def _memberships(
        self,
        sentence: Sentence,
        cues: Sequence[_Cue],
        mentions: Sequence[OrgMention],
        dates: Sequence[DateMention],
        *,
        indirect: bool,
    ) -> bool:
        """One membership per member of the alliance; whether the sentence named one."""
        text = sentence.span.text
        alliances = [m.name for m in mentions if m.kind == "Alliance"]
        alliance = alliances[0] if alliances else None
        if alliance is None and self.last_alliance is not None:
            recent = sentence.index - self.last_alliance[0] <= _HISTORY
            if recent or _ALLIANCE_REFERENCE.search(text):
                alliance = self.last_alliance[1]
        if alliance is None:
            return False
        members = [n for n in _distinct(m.name for m in mentions) if _key(n) != _key(alliance)]
        founding = _FOUNDING.search(text) is not None
        cue = next((c.text for c in cues if c.kind == "AllianceMembership"), cues[0].text)
        when = dates[0] if dates else None
        for member in members:
            found = self._new(
                "AllianceMembership", [member, alliance], sentence, cue, when, indirect
            )
            found.founding = founding
            self.found.append(found)
        return bool(members)

    def _new(
        self,
        kind: str,
        participants: list[str],
        sentence: Sentence,
        cue: str,
        when: DateMention | None,
        indirect: bool,
    ) -> _Found:
        text = sentence.span.text
        hedged = _any("hedge", self.language, text) is not None
        signed = _any("signed", self.language, text) is not None
        status = "Speculated" if hedged else "Signed" if signed else "Announced"
        confidence = _BASE_CONFIDENCE.get(kind, 0.85)
        confidence += 0.05 if status == "Signed" else 0.0
        confidence -= 0.1 if indirect else 0.0
        confidence *= 0.5 if hedged else 1.0
        event = _EVENT.search(text)
        found = _Found(
            kind=kind,
            participants=participants,
            sentence=sentence,
            cue=cue,
            domains=self._domains(sentence),
            on=when.on if when else None,
            precision=when.precision if when else None,
            status=status,
            event=event.group("event") if event else None,
            confidence=round(max(0.05, min(confidence, 0.95)), 2),
            place=_place(text, self.language),
        )
        found.evidence.append(EvidenceSpan(sentence.span, cue, found.confidence))
        return found

    def _domains(self, sentence: Sentence) -> tuple[str, ...]:
        own = self.extractor.domains(sentence.span.text)
        if own:
            return tuple(sorted(own))
        paragraph = sentence.paragraph
        if paragraph not in self._paragraph_domains:
            tags: set[str] = set()
            for other in self.sentences:
                if other.paragraph == paragraph:
                    tags |= self.extractor.domains(other.span.text)
            self._paragraph_domains[paragraph] = tuple(sorted(tags))
        return self._paragraph_domains[paragraph]

    # --- after the last sentence ----------------------------------------------------------

    def _inherit_dates(self) -> None:
        """An undated relationship takes the date of the latest earlier sentence that names
        all its parties and gives a date (the occasion it was agreed at)."""
        for found in self.found:
            if found.on is not None:
                continue
            parties = (
                found.participants[1:] if found.kind == "AllianceMembership" else found.participants
            )
            wanted = {_key(p) for p in parties}
            for facts in reversed(self.history[: found.sentence.index]):
                named = {_key(m.name) for m in facts.organizations}
                if facts.dates and wanted <= named:
                    found.on, found.precision = facts.dates[0].on, facts.dates[0].precision
                    break

    def _relationship(self, found: _Found) -> ExtractedRelationship:
        return ExtractedRelationship(
            kind=found.kind,
            participants=tuple(found.participants),
            evidence=tuple(found.evidence),
            domains=found.domains,
            on=found.on,
            precision=found.precision,
            status=found.status,
            event=found.event,
            founding=found.founding,
            place=found.place,
        )


#: Possessive spaces: two optional runs of spaces side by side backtrack quadratically.
_APPOSITION_GAP = re.compile(r"^\s*+(?:등|and|,)?\s*+(?:[^\s.,]+\s)?$")


def _appositive(text: str, position: int, ends: Sequence[int]) -> bool:
    """Whether a reference right after a list of organizations names that list."""
    before = [e for e in ends if e <= position]
    return bool(before) and bool(_APPOSITION_GAP.match(text[max(before) : position]))


_SPECIFIC = {"city": 0, "region": 1, "country": 2}
_KOREAN_LOCATIVE = re.compile(r"에서(?![가-힣])")
_IN_PLACE = re.compile(r"\b(?:in|at)\s+$")


@cache
def _places(language: str) -> Gazetteer[str]:
    return Gazetteer((name, kind) for name, kind in places(language).items())


def _place(text: str, language: str) -> str | None:
    """Where the sentence says something happened: in Korean the places of the phrase that
    ends with 에서 ("스페인 바르셀로나에서"), in English a place after "in" or "at"; the most
    specific (a city before its country)."""
    found = _places(language).find(text)
    if language == "ko":
        locative = _KOREAN_LOCATIVE.search(text)
        if locative is None:
            return None
        candidates = [
            m for m in found if m.end <= locative.start() and locative.start() - m.end <= 25
        ]
    else:
        candidates = [m for m in found if _IN_PLACE.search(text[max(0, m.start - 4) : m.start])]
    if not candidates:
        return None
    best = min(candidates, key=lambda m: _SPECIFIC.get(m.payloads[0], 3))
    return best.surface


def _merge(first: Sequence[OrgMention], second: Sequence[OrgMention]) -> list[OrgMention]:
    """Mentions from two finders, the longer one where they overlap, the second (the
    article's own names) where they are as long."""
    merged = list(first)
    for mention in second:
        overlapping = [m for m in merged if mention.start < m.end and m.start < mention.end]
        if all(mention.end - mention.start >= m.end - m.start for m in overlapping):
            merged = [m for m in merged if m not in overlapping] + [mention]
    return sorted(merged, key=lambda m: m.start)


def _pairs(names: Sequence[str]) -> set[frozenset[str]]:
    keys = [_key(n) for n in names]
    return {frozenset((a, b)) for a in keys for b in keys if a != b}


_BRAND = re.compile(r"^(?:[a-z]{2,}|[\uac00-\ud7a3]{2})")


def _brand(name: str) -> str:
    """The leading brand of a name ("lg" of LG전자 and (주)LG, "삼성" of 삼성SDI)."""
    key = _key(name)
    match = _BRAND.match(key)
    return match.group() if match else key


def _without_covered_meetings(found: Sequence[_Found]) -> list[_Found]:
    """Meetings as facts of their own. Firms of one business group at a meeting are one side
    (the meeting is not between them), and a meeting whose parties also made a deal in the
    article is the occasion of that deal, not a separate fact."""
    deals: set[frozenset[str]] = set()
    for f in found:
        if f.kind in _PARTNERSHIP_FAMILY:
            deals |= _pairs(f.participants)
    kept = []
    for f in found:
        if f.kind == "Meeting":
            sides: dict[str, str] = {}
            for name in f.participants:
                sides.setdefault(_brand(name), name)
            if len(sides) < 2 or _pairs(list(sides.values())) <= deals:
                continue
            f.participants = list(sides.values())
        kept.append(f)
    return kept


def _merged(found: Sequence[_Found]) -> list[_Found]:
    """One relationship per kind, parties and date, with the evidence of every sentence."""
    merged: dict[tuple[str, frozenset[str], date | None], _Found] = {}
    for f in found:
        key = (f.kind, frozenset(_key(p) for p in f.participants), f.on)
        existing = merged.get(key)
        if existing is None:
            merged[key] = replace(f, evidence=list(f.evidence))
            continue
        if all(e.span != ev.span for e in existing.evidence for ev in f.evidence):
            existing.evidence.extend(f.evidence)
        existing.domains = tuple(sorted(set(existing.domains) | set(f.domains)))
        existing.event = existing.event or f.event
        existing.place = existing.place or f.place
        existing.founding = existing.founding or f.founding
        if existing.status == "Speculated" and f.status != "Speculated":
            existing.status = f.status
    return list(merged.values())
