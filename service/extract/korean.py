"""Korean morphological analysis with Kiwi (kiwipiepy), shared by every extractor of a process.

Building Kiwi loads its language model (about a second and a few hundred MB), so a process has
one analyzer, created on first use. Every organization name the store knows goes into Kiwi's user
dictionary as a proper noun, so compound names ("HD한국조선해양", "지멘스 디지털 인더스트리
소프트웨어") come out as one token. Names are only ever added: a name another store taught the
analyzer only keeps a proper noun whole, which is harmless.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from kiwipiepy import Kiwi

_HANGUL = re.compile(r"[\uac00-\ud7a3]")


@dataclass(frozen=True)
class Token:
    """One morpheme: its form, Sejong part-of-speech tag, and offsets in the analysed text."""

    form: str
    tag: str
    start: int
    end: int


class KoreanAnalyzer:
    """Kiwi with the known organization names in its user dictionary; thread-safe."""

    def __init__(self) -> None:
        self._kiwi = Kiwi()
        self._names: set[str] = set()
        self._lock = threading.Lock()

    def add_names(self, names: Iterable[str]) -> None:
        """Teach the analyzer organization names (only those with Hangul matter to it)."""
        with self._lock:
            for name in names:
                word = name.strip()
                if word in self._names or not _HANGUL.search(word) or len(word) < 2:
                    continue
                self._names.add(word)
                self._kiwi.add_user_word(word, "NNP")

    def tokens(self, text: str) -> list[Token]:
        """The morphemes of ``text``."""
        with self._lock:
            analysed = self._kiwi.tokenize(text)
        return [Token(t.form, t.tag, t.start, t.start + t.len) for t in analysed]


_shared: KoreanAnalyzer | None = None
_shared_lock = threading.Lock()


def analyzer() -> KoreanAnalyzer:
    """The process's analyzer, built on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = KoreanAnalyzer()
        return _shared
