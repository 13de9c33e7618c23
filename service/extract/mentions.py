"""Who a sentence names: known organizations, organizations the text shows to be ones, persons.

- Known organizations come from the gazetteer of every name the store has. In Korean a name may
  carry particles ("메타와") but not more letters ("메타버스" is not Meta).
- Unknown organizations are found from evidence in the text: a proper noun ending in an
  organizational word (한빛로보틱스, Helios Battery Corp.), introduced by a head noun
  ("반도체 기업 마이크론", "chipmaker Nvidia"), named with a country ("독일 지멘스",
  "Japan's Tanaka Motors") or with a stock ticker ("Acme Inc. (NASDAQ: ACME)").
- Persons are found next to an organization and a title ("이재용 삼성전자 회장", "Meta CEO Mark
  Zuckerberg", "Jane Doe, chief executive of X"); later references to them ("이 회장",
  "저커버그 CEO", "Zuckerberg") stand for their organization.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from service.extract.gazetteer import Gazetteer
from service.extract.korean import Token
from service.extract.lexicon import Pattern, patterns, places

# What may follow a Korean name in the same word: particles and a few suffixes ("측", "사").
_PARTICLES = re.compile(
    r"^(?:은|는|이|가|을|를|와|과|의|에|에서|에게|께|께서|로|으로|도|만|까지|부터|마저|조차|보다"
    r"|처럼|이나|나|이며|며|이고|고|이다|다|였다|이었다|이라는|라는|라고|이라고|측|사|뿐|등|들|및"
    r"|에는|에도|와의|과의|와는|과는|로는|으로는|이라|라|께서는|에서는|에서도|로서|으로서|로부터"
    r"|으로부터|간|이자|였던|이었던|인|만이)+$"
)
_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+")
# Particles that make a word a party to the sentence (not a place: "…에서").
_SUBJECT_OR_OBJECT = re.compile(r"^(?:은|는|이|가|을|를|와|과|의|와의|과의|와는|과는|도|에)$")
_LOCATIVE_WORD = re.compile(r"^[\uac00-\ud7a3\w]*(?:에서|에서는|에서도)$")
_NOUNISH = frozenset({"NNP", "NNG", "SL", "SN", "SH", "XPN", "XSN", "NR"})
_NAME_TAGS = frozenset({"NNP", "SL", "SH"})
_TICKER = re.compile(
    r"\s*\((?:NASDAQ|Nasdaq|NYSE|KRX|KOSPI|KOSDAQ|TSE|LSE|HKEX|SSE|SZSE|TYO|ASX|Euronext|XETRA"
    r"|FRA|TSX|OTC)\s*:\s*[A-Z0-9.]{1,8}\)"
)
#: A run of digits is tried once, from its first digit and without backtracking (else a long
#: run of digits costs quadratic time).
_CAPITALIZED = re.compile(
    r"(?:[A-Z][\w&.'’-]*|(?<![0-9])[0-9]++[A-Za-z][\w-]*)(?:\s+(?:(?:of|&|de|für)\s+)?"
    r"(?:[A-Z][\w&.'’-]*|[0-9]++[A-Za-z][\w-]*))*"
)
_ENGLISH_STOP = frozenset(
    [
        "The",
        "A",
        "An",
        "In",
        "On",
        "At",
        "By",
        "For",
        "With",
        "From",
        "And",
        "But",
        "Both",
        "Its",
        "Their",
        "His",
        "Her",
        "Our",
        "This",
        "That",
        "These",
        "Those",
        "After",
        "Before",
        "While",
        "When",
        "Under",
        "Over",
        "Meanwhile",
        "Also",
        "As",
        "Last",
        "Earlier",
        "Since",
        "Under",
        "Then",
        "According",
        "Shares",
        "Analysts",
        "Officials",
        "Sources",
        "Executives",
        "It",
        "They",
        "He",
        "She",
        "We",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Sept",
        "Oct",
        "Nov",
        "Dec",
        "CEO",
        "Chief",
        "Chairman",
        "President",
        "Mr",
        "Ms",
        "Dr",
        "Korean",
        "Japanese",
        "Chinese",
        "German",
        "American",
        "European",
        "Swedish",
        "Finnish",
        "French",
        "British",
        "Canadian",
        "Taiwanese",
        "Indian",
        "Under",
        "Unlike",
        "Like",
        "If",
        "Once",
        "Still",
        "However",
        "Together",
        "Instead",
        "Through",
        "Despite",
        "Separately",
        "Financial",
        "Terms",
        "Neither",
        "Either",
        "Each",
        "Some",
        "Many",
        "Most",
        "Other",
        "Another",
        "New",
        "Next",
        "First",
        "Second",
        "Third",
    ]
)
_POSSESSIVE = re.compile(r"['’]s$")
# Legal forms written with a full stop, which a name keeps at the end of a sentence.
_DOTTED_FORMS = frozenset(
    [
        "Inc",
        "Corp",
        "Co",
        "Ltd",
        "Bhd",
        "Pte",
        "Pty",
        "Jr",
        "S.A",
        "N.V",
        "S.p.A",
        "B.V",
        "S.A.S",
        "A.G",
        "K.K",
        "Cie",
        "Mfg",
        "Bros",
    ]
)
_BASED = re.compile(r"^[\w.-]+-based$")
_PERSON_EN = re.compile(r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,2}")
_PLACE_NOUN = re.compile(
    r"\s+(?:district|province|city|county|area|region|campus|plant|factory|headquarters|port"
    r"|state|island|complex|site|facility)\b"
)


@dataclass(frozen=True)
class OrgMention:
    """An organization named in a sentence, in article offsets."""

    name: str
    start: int
    end: int
    kind: str = "Firm"  # the ag: class an organization new to the store gets
    known: bool = True


@dataclass(frozen=True)
class Person:
    """A person the article introduces with their organization and title."""

    name: str
    role: str
    organization: str
    aliases: tuple[str, ...]


def _matches(category: str, language: str, text: str) -> list[re.Match[str]]:
    return [m for p in patterns(language).get(category, ()) for m in p.regex.finditer(text)]


def ends_with(category: str, language: str, name: str) -> Pattern | None:
    """The pattern of ``category`` that ``name`` ends with, if any."""
    for pattern in patterns(language).get(category, ()):
        for match in pattern.regex.finditer(name):
            if match.end() == len(name.rstrip(".")) or match.end() == len(name):
                return pattern
    return None


def kind_of(name: str, language: str) -> str:
    """The class of a new organization from its name: an alliance or a firm."""
    for lang in (language, "en" if language == "ko" else "ko"):
        if ends_with("alliance", lang, name) is not None:
            return "Alliance"
    return "Firm"


#: Longer than any chain of particles: a longer run is more letters (and _PARTICLES, whose
#: alternatives overlap, would take exponential time to say so).
_LONGEST_TAIL = 12


def _korean_tail_ok(text: str, end: int) -> bool:
    """Whether a name ending at ``end`` is followed only by particles, not by more letters."""
    run = _HANGUL_RUN.match(text, end)
    if run is None:
        return True
    return len(run.group()) <= _LONGEST_TAIL and bool(_PARTICLES.match(run.group()))


def describes_a_place(text: str, end: int) -> bool:
    """Whether a Korean name ending at ``end`` without a particle modifies a place: "삼성그룹
    영빈관인 승지원에서", "LG트윈타워에서" (the firm is not a party there)."""
    rest = text[end:]
    if rest[:1] not in (" ", ""):
        run = _HANGUL_RUN.match(text, end)
        return bool(run and run.group() in ("에서", "에서는", "에서도"))
    for word in rest.split()[:3]:
        if _LOCATIVE_WORD.match(word):
            return True
        if _HANGUL_RUN.search(word) and _PARTICLES.search(word[-1]) and not word.endswith("인"):
            return False
    return False


def known_mentions(
    text: str, offset: int, gazetteer: Gazetteer[str], language: str
) -> list[OrgMention]:
    """The known organizations ``text`` (a sentence at ``offset``) names."""

    def accept(start: int, end: int) -> bool:
        return _korean_tail_ok(text, end)

    return [
        OrgMention(
            m.payloads[0], offset + m.start, offset + m.end, kind_of(m.payloads[0], language)
        )
        for m in gazetteer.find(text, accept)
    ]


def _overlaps(start: int, end: int, mentions: Sequence[OrgMention]) -> bool:
    return any(start < m.end and m.start < end for m in mentions)


def _words(tokens: Sequence[Token], text: str) -> list[list[Token]]:
    """The tokens grouped by the words they come from: spaces and punctuation separate words
    ("LG에너지솔루션·삼성SDI" is two)."""
    words: list[list[Token]] = []
    current: list[Token] = []
    for token in tokens:
        if token.tag.startswith("S") and token.tag not in _NAME_TAGS and token.tag != "SN":
            if current:
                words.append(current)
            current = []
            continue
        if current and text[current[-1].end : token.start]:  # a space between them
            words.append(current)
            current = []
        current.append(token)
    if current:
        words.append(current)
    return words


def _stem(word: list[Token]) -> list[Token]:
    """The leading noun-like tokens of a word (before its particles or endings)."""
    stem = []
    for token in word:
        if token.tag not in _NOUNISH:
            break
        stem.append(token)
    return stem


def _korean_candidate(stem: list[Token], text: str, domain_words: frozenset[str]) -> str | None:
    """The organization name a word's stem makes, if it ends in an organizational word."""
    if not stem:
        return None
    surface = text[stem[0].start : stem[-1].end]
    if surface in domain_words or surface.replace(" ", "") in domain_words:
        return None  # "목적기반모빌리티" names a technology, not a firm
    suffix = ends_with("org_suffix", "ko", surface)
    if suffix is None:
        return None
    match = next(m for m in suffix.regex.finditer(surface) if m.end() == len(surface))
    prefix = surface[: match.start()].strip()
    if len(prefix) < 2 or prefix.isdigit() or prefix in places("ko") or prefix in domain_words:
        return None
    if len(stem) > 1 and not any(t.tag in _NAME_TAGS for t in stem):
        return None  # common nouns only: "전기자동차", "수소에너지"
    return surface


_PAREN = re.compile(r"\(([^()]{1,60})\)")
_LIST_SEPARATOR = re.compile(r"^\s*(?:[,·、△▲]|및|등)")
_QUOTED = re.compile(r"[‘'“\"](?P<name>[^‘’'“”\"()]{2,40}?)(?:\((?P<alias>[^()]{1,20})\))?[’'”\"]")


@dataclass
class _Word:
    """A word of a Korean sentence: its noun stem, what follows the stem, and the name in
    parentheses right after it ("텐서릭스(Tensorix)로부터")."""

    stem: list[Token]
    start: int
    end: int
    particle: str
    alias: str | None
    after: int  # where the word, parenthesis included, ends

    @property
    def bare(self) -> bool:
        return not self.particle and self.alias is None

    def text(self, sentence: str) -> str:
        return sentence[self.start : self.end]


def _korean_words(tokens: Sequence[Token], text: str) -> list[_Word]:
    words: list[_Word] = []
    consumed = 0
    for group in _words(tokens, text):
        if group[0].start < consumed:
            continue  # inside a parenthesis already read
        stem = _stem(group)
        while len(stem) > 1 and text[stem[0].start : stem[0].end] in places("ko"):
            stem = stem[1:]  # "미국 스트라타클라우드" written as one word
        if not stem:
            words.append(_Word([], group[0].start, group[-1].end, "", None, group[-1].end))
            continue
        start, end = stem[0].start, stem[-1].end
        position, alias = end, None
        paren = _PAREN.match(text, end)
        if paren:
            alias, position = paren.group(1).strip(), paren.end()
        run = _HANGUL_RUN.match(text, position)
        if paren and run:
            # "이앤(e&)그룹": the organizational word after the parenthesis belongs to the name.
            suffix = _leading_suffix(run.group())
            if suffix:
                end = position + len(suffix)
                run = _HANGUL_RUN.match(text, end)
        particle = run.group() if run else ""
        after = run.end() if run else (end if paren and end > position else position)
        if not paren and end < group[-1].end:
            particle = text[end : group[-1].end]
            after = group[-1].end
        consumed = after
        words.append(_Word(stem, start, end, particle, alias, after))
    return words


@cache
def _glossed_with_suffix() -> re.Pattern[str]:
    """A name, a parenthesised gloss, then an organizational word: "이앤(e&)그룹"."""
    words = sorted(
        (p.regex.pattern for p in patterns("ko").get("org_suffix", ())), key=len, reverse=True
    )
    return re.compile(
        r"(?<![가-힣A-Za-z0-9])[가-힣A-Za-z0-9]{2,12}\([^()\s][^()]{0,20}\)(?:"
        + "|".join(words)
        + r")"
    )


def _leading_suffix(run: str) -> str:
    """The organizational word a Hangul run starts with, if any ("그룹는" → "그룹")."""
    best = ""
    for pattern in patterns("ko").get("org_suffix", ()):
        match = pattern.regex.match(run)
        if match and len(match.group()) > len(best):
            best = match.group()
    return best


def _split_list(name: str, start: int) -> list[tuple[str, int]]:
    """A name Kiwi kept together across list separators, taken apart."""
    parts = []
    for match in re.finditer(r"[^·,、/]+", name):
        part = match.group().strip()
        if part:
            parts.append((part, start + match.start() + match.group().index(part)))
    return parts


def _glossed_partner(word: _Word) -> bool:
    """A proper noun with its Latin spelling in parentheses, then 와/과: a named partner."""
    return (
        all(t.tag in _NAME_TAGS for t in word.stem)
        and word.alias is not None
        and bool(re.fullmatch(r"[A-Z][A-Za-z0-9&.\- ]{1,40}", word.alias))
        and word.particle in ("와", "과", "와의", "과의", "와는", "과는")
    )


def _is_suffix_word(word: str) -> bool:
    """Whether a whole word is an organizational word ("로보틱스", "그룹")."""
    return any(p.regex.fullmatch(word) for p in patterns("ko").get("org_suffix", ()))


def korean_unknown(
    text: str,
    offset: int,
    tokens: Sequence[Token],
    known: Sequence[OrgMention],
    domain_words: frozenset[str],
) -> list[OrgMention]:
    """Organizations the Korean sentence shows to be ones, though the store does not know them."""
    found: list[OrgMention] = []
    heads = {m.group() for m in _matches("org_head", "ko", text)}

    def add(name: str, start: int) -> None:
        for part, part_start in _split_list(name, start):
            end = part_start + len(part)
            if len(part) >= 2 and not _overlaps(
                offset + part_start, offset + end, [*known, *found]
            ):
                found.append(
                    OrgMention(part, offset + part_start, offset + end, kind_of(part, "ko"), False)
                )

    for quoted in _QUOTED.finditer(text):
        name = quoted.group("name").strip()
        if ends_with("alliance", "ko", name) or ends_with("org_suffix", "ko", name):
            add(name, quoted.start("name") + quoted.group("name").index(name))
    for glossed in _glossed_with_suffix().finditer(text):
        add(glossed.group(), glossed.start())  # "이앤(e&)그룹"
    words = _korean_words(tokens, text)
    for index, word in enumerate(words):
        if not word.stem or _overlaps(offset + word.start, offset + word.end, [*known, *found]):
            continue
        name = _korean_candidate(word.stem, text, domain_words)
        start = word.start
        previous = words[index - 1] if index > 0 else None
        previous_text = previous.text(text) if previous and previous.stem else ""
        previous_names = (
            previous is not None
            and previous.bare
            and bool(previous.stem)
            and text[previous.after : word.start].isspace()
        )
        if previous_names and previous is not None:
            previous_names = all(t.tag in _NAME_TAGS for t in previous.stem)
        if (
            name is None
            and previous_names
            and previous is not None
            and _is_suffix_word(word.text(text))
        ):
            # "베르크만 로보틱스": a proper noun word, then the organizational word.
            if (
                previous_text not in places("ko")
                and previous_text not in domain_words
                and not _overlaps(offset + previous.start, offset + word.end, known)
            ):
                start = previous.start
                name = text[start : word.end]
        elif name is None and word.stem[0].tag in _NAME_TAGS and previous and previous.bare:
            # "반도체 기업 마이크론과", "독일 지멘스와": a head noun or a country, then a name.
            introduced = places("ko").get(previous_text) == "country"
            introduced = introduced or any(previous_text.endswith(h) for h in heads)
            surface = word.text(text)
            listed = bool(_LIST_SEPARATOR.match(text[word.after :]))
            attached = bool(_SUBJECT_OR_OBJECT.match(word.particle)) or word.alias is not None
            if introduced and (attached or listed) and surface not in places("ko"):
                name = surface
        if name is None and _glossed_partner(word):
            name = word.text(text)  # "제노바(Xenova)와": a name glossed in Latin, as a partner
        if name is not None:
            add(name, start)
    found.extend(_coordinated(text, offset, words, [*known, *found]))
    return found


def _coordinated(
    text: str, offset: int, words: Sequence[_Word], organizations: Sequence[OrgMention]
) -> list[OrgMention]:
    """Proper nouns listed with organizations ("에릭슨, 노키아, 이노렉스와") are organizations."""
    found: list[OrgMention] = []
    starts = {m.start - offset for m in organizations}
    ends = {m.end - offset for m in organizations}
    roles = [m.start() for m in _matches("role", "ko", text)]
    for index, word in enumerate(words):
        if not word.stem or not all(t.tag in _NAME_TAGS for t in word.stem):
            continue
        surface = word.text(text)
        if surface in places("ko") or len(surface) < 2 or word.start in starts:
            continue
        complete = (
            word.particle
            or _LIST_SEPARATOR.match(text[word.after :])
            or not text[word.after :].strip()
        )
        if not complete or surface.upper() in ("AI", "IT", "ICT", "CEO"):
            continue
        if _overlaps(offset + word.start, offset + word.end, [*organizations, *found]):
            continue
        if any(0 <= r - word.after <= 1 for r in roles):
            continue  # a person with a title
        before = words[index - 1] if index > 0 else None
        after = words[index + 1] if index + 1 < len(words) else None
        joined_before = (
            before is not None
            and before.end in ends
            and (
                re.match(r"^\s*[,·、]\s*$", text[before.after : word.start])
                or before.particle in ("와", "과")
            )
        )
        joined_after = (
            after is not None
            and after.start in starts
            and (
                re.match(r"^\s*[,·、]\s*$", text[word.after : after.start])
                or word.particle in ("와", "과")
            )
        )
        if joined_before or joined_after:
            found.append(
                OrgMention(
                    surface, offset + word.start, offset + word.end, kind_of(surface, "ko"), False
                )
            )
    return found


def korean_aliases(text: str, offset: int, mentions: Sequence[OrgMention]) -> dict[str, str]:
    """Names given in parentheses right after an organization: "텐서릭스(Tensorix)",
    "유럽 수소트럭 연합(EHTA)": the parenthesised name stands for the same organization."""
    aliases = {}
    for mention in mentions:
        paren = _PAREN.match(text, mention.end - offset)
        if paren:
            alias = paren.group(1).strip()
            if 2 <= len(alias) <= 40 and not re.search(r"\d{2,}|현지|시간|약", alias):
                aliases[alias] = mention.name
    for quoted in _QUOTED.finditer(text):
        if quoted.group("alias"):
            aliases[quoted.group("alias").strip()] = quoted.group("name").strip()
    return aliases


def _strip_leading(words: list[str]) -> list[str]:
    while words and (
        words[0] in _ENGLISH_STOP or _POSSESSIVE.search(words[0]) or _BASED.match(words[0])
    ):
        words = words[1:]
    return words


def english_unknown(
    text: str, offset: int, known: Sequence[OrgMention], person_names: frozenset[str]
) -> list[OrgMention]:
    """Organizations the English sentence shows to be ones, though the store does not know them."""
    found: list[OrgMention] = []
    heads = [m.end() for m in _matches("org_head", "en", text)]
    for match in _CAPITALIZED.finditer(text):
        raw = match.group()
        words = raw.split()
        kept = _strip_leading(words)
        if not kept:
            continue
        name = " ".join(kept).rstrip(",;:")
        if name.endswith(".") and name.split()[-1].rstrip(".") not in _DOTTED_FORMS:
            name = name[:-1]  # the full stop ends the sentence: "… said TrendForce."
        name = _POSSESSIVE.sub("", name)
        start = offset + match.start() + raw.index(kept[0])
        end = start + len(name)
        if name in places("en") or name in person_names or len(name) < 2:
            continue
        by_suffix = len(kept) > 1 and ends_with("org_suffix", "en", name) is not None
        by_alliance = len(kept) > 1 and ends_with("alliance", "en", name) is not None
        by_ticker = bool(_TICKER.match(text, match.end()))
        head_end = match.start() + raw.index(kept[0])
        by_head = (
            any(0 <= head_end - h <= 2 for h in heads) and text[head_end - 1 : head_end] == " "
        )
        # "Finland's Aurora Radio", "Japan's Kiyora Mobile": a country's firm.
        owner = words[len(words) - len(kept) - 1] if len(kept) < len(words) else ""
        by_head = by_head or _POSSESSIVE.sub("", owner) in places("en")
        if _PLACE_NOUN.match(text, match.end()):
            continue  # "Seoul's Yeouido district"
        if not (by_suffix or by_alliance or by_ticker or by_head):
            continue
        covered = [m for m in known if m.start >= start and m.end <= end]
        if _overlaps(start, end, known) and not (by_suffix and covered):
            continue
        if covered and all(m.start == start and m.end == end for m in covered):
            continue
        found.append(OrgMention(name, start, end, kind_of(name, "en"), False))
    return found


def _korean_person_before(text: str, tokens: Sequence[Token], org_start: int) -> str | None:
    """The proper-noun words right before an organization name: a person's name."""
    before = [t for t in tokens if t.end <= org_start]
    names: list[Token] = []
    for token in reversed(before):
        gap = text[token.end : (names[0].start if names else org_start)]
        if token.tag != "NNP" or gap.strip() or len(names) == 2:
            break
        names.insert(0, token)
    if not names:
        return None
    name = text[names[0].start : names[-1].end]
    return name if 2 <= len(name.replace(" ", "")) <= 12 else None


def korean_persons(
    text: str, offset: int, tokens: Sequence[Token], organizations: Sequence[OrgMention]
) -> list[Person]:
    """Persons introduced as "NAME ORG ROLE" or "ORG NAME ROLE"."""
    persons: list[Person] = []
    roles = [(m.start(), m.end(), m.group()) for m in _matches("role", "ko", text)]
    for mention in organizations:
        start, end = mention.start - offset, mention.end - offset
        role = next((r for r in roles if 0 <= r[0] - end <= 1), None)
        name = _korean_person_before(text, tokens, start) if role else None
        if role is None:
            # "삼성전자 이재용 회장"
            after = [t for t in tokens if t.start > end and t.tag == "NNP"][:1]
            if after and text[end : after[0].start].strip() == "":
                role = next((r for r in roles if 0 <= r[0] - after[0].end <= 1), None)
                name = text[after[0].start : after[0].end] if role else None
        if role is None or name is None:
            continue
        persons.append(Person(name, role[2], mention.name, _korean_aliases(name, role[2])))
    return persons


def _korean_aliases(name: str, role: str) -> tuple[str, ...]:
    """How a Korean article refers to a person again: "이 회장", "저커버그 CEO", "저커버그"."""
    parts = name.split()
    aliases = {name}
    if len(parts) == 1 and 2 <= len(name) <= 4:
        aliases.add(f"{name[0]} {role}")
        aliases.add(f"{name} {role}")
    else:
        aliases.add(f"{parts[-1]} {role}")
        if len(parts[-1]) >= 3:
            aliases.add(parts[-1])
    for title in ("CEO", "대표", "회장", "사장"):
        if len(parts) > 1:
            aliases.add(f"{parts[-1]} {title}")
    return tuple(sorted(aliases))


_EN_ORG_ROLE_PERSON = re.compile(
    r"(?P<role>(?:[Cc]hief [Ee]xecutive(?: [Oo]fficer)?|CEO|[Cc]hairman|[Cc]hairwoman|[Pp]resident|"
    r"[Vv]ice [Cc]hairman|[Cc]hief [Tt]echnology [Oo]fficer|CTO|COO|CFO|[Ff]ounder|[Cc]o-founder))"
    r"\s+(?P<person>[A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,2})"
)
_EN_PERSON_ROLE_OF = re.compile(
    r"(?P<person>[A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,2}),\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?"
    r"(?P<role>chief executive(?: officer)?|CEO|chairman|chairwoman|president|vice chairman|"
    r"chief technology officer|CTO|founder|co-founder|head)\s+(?:of|at)\s+"
)


def english_persons(text: str, offset: int, organizations: Sequence[OrgMention]) -> list[Person]:
    """Persons introduced as "ORG ROLE NAME" or "NAME, ROLE of ORG"."""
    persons: list[Person] = []
    for match in _EN_ORG_ROLE_PERSON.finditer(text):
        org = next(
            (
                m
                for m in organizations
                if 0 <= match.start() - (m.end - offset) <= 3
                and text[m.end - offset : match.start()].strip() in ("", "'s", "’s")
            ),
            None,
        )
        if org is not None:
            persons.append(_english_person(match.group("person"), match.group("role"), org.name))
    for match in _EN_PERSON_ROLE_OF.finditer(text):
        org = next((m for m in organizations if m.start - offset == match.end()), None)
        if org is not None:
            persons.append(_english_person(match.group("person"), match.group("role"), org.name))
    return persons


def _english_person(name: str, role: str, organization: str) -> Person:
    last = name.split()[-1]
    return Person(name, role, organization, (name, last))


def person_names(persons: Sequence[Person]) -> frozenset[str]:
    return frozenset(alias for person in persons for alias in person.aliases)


def is_person_like(name: str) -> bool:
    """Two or three capitalised words with no organizational ending: a person's name shape."""
    return bool(_PERSON_EN.fullmatch(name)) and ends_with("org_suffix", "en", name) is None
