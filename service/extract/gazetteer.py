"""Finding known names in text in one pass, however many names there are.

A character trie over the names, folded the way people vary them (Unicode compatibility forms,
case, spacing), walked from every position where a name may begin. The cost of a search grows
with the length of the text and of the longest name, not with the number of names, so a store
with ten thousand organizations searches as fast as one with ten.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


class _Node(Generic[T]):
    """A trie node: the next characters, and the names that end here with whether each is
    written in lower case."""

    __slots__ = ("children", "names")

    def __init__(self) -> None:
        self.children: dict[str, _Node[T]] = {}
        self.names: list[tuple[T, bool]] = []


def fold(char: str) -> str:
    """One character as names are compared: compatibility form, case folded, when that keeps
    it one character (so offsets into the folded text are offsets into the original).

    >>> fold("Ａ"), fold("a"), fold("삼"), fold("ß")
    ('a', 'a', '삼', 'ß')
    """
    folded = unicodedata.normalize("NFKC", char).casefold()
    return folded if len(folded) == 1 else char


def _is_latin_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _is_hangul(char: str) -> bool:
    return "\uac00" <= char <= "\ud7a3" or "\u3131" <= char <= "\u318e"


def may_start(text: str, index: int) -> bool:
    """Whether a name may begin at ``text[index]``: not inside a Latin word, nor inside a
    Hangul word ("LG" is not found in "LGBT", "메타" not in "프로메타")."""
    if text[index].isspace():
        return False
    if index == 0:
        return True
    before, char = text[index - 1], text[index]
    if _is_latin_word_char(char):
        return not _is_latin_word_char(before)
    if _is_hangul(char):
        return not _is_hangul(before)
    return True


def may_end(text: str, end: int) -> bool:
    """Whether a name may end before ``text[end]``: a Latin name not inside a Latin word.
    Korean particles attach to names ("메타와"), so Hangul needs the caller's judgement."""
    if end >= len(text):
        return True
    return not (_is_latin_word_char(text[end - 1]) and _is_latin_word_char(text[end]))


@dataclass(frozen=True)
class Match(Generic[T]):
    """A name found in the text: ``text[start:end]`` and what the name stands for."""

    start: int
    end: int
    surface: str
    payloads: tuple[T, ...]


class Gazetteer(Generic[T]):
    """Leftmost-longest search for many names at once."""

    def __init__(self, entries: Iterable[tuple[str, T]] = (), min_length: int = 2) -> None:
        self._root: _Node[T] = _Node()
        self._min_length = min_length
        self.size = 0
        for name, payload in entries:
            self.add(name, payload)

    def add(self, name: str, payload: T) -> None:
        """Add a name (a name shorter than the minimum length is ignored)."""
        key = [fold(c) for c in name if not c.isspace()]
        if len(key) < self._min_length:
            return
        node = self._root
        for char in key:
            node = node.children.setdefault(char, _Node())
        # Whether the name as written starts in lower case ("e&", "eBay"): a name that does
        # not is not found in lower-case text ("Arm" is not "arm").
        entry = (payload, name.lstrip()[:1].islower())
        if entry not in node.names:
            node.names.append(entry)
            self.size += 1

    def _walk(
        self, text: str, folded: str, start: int, accept: Callable[[int, int], bool]
    ) -> tuple[int, list[T]] | None:
        """The longest acceptable name beginning at ``start``: its end and payloads."""
        node = self._root
        best: tuple[int, list[T]] | None = None
        index = start
        lower_start = text[start].islower()
        while index < len(text):
            char = folded[index]
            if char.isspace():
                index += 1
                continue
            child = node.children.get(char)
            if child is None:
                break
            node = child
            index += 1
            if node.names and may_end(text, index) and accept(start, index):
                payloads = [p for p, lower in node.names if lower or not lower_start]
                if payloads:
                    best = (index, payloads)
        return best

    def find(self, text: str, accept: Callable[[int, int], bool] | None = None) -> list[Match[T]]:
        """The non-overlapping names in ``text``, leftmost first, the longest at each place.

        :param accept: a further test of a candidate ``(start, end)``, e.g. that it ends where
            a Korean word's stem ends; every candidate passes if not given.
        """
        test = accept or (lambda start, end: True)
        folded = "".join(fold(c) for c in text)
        found: list[Match[T]] = []
        index = 0
        while index < len(text):
            if folded[index] in self._root.children and may_start(text, index):
                best = self._walk(text, folded, index, test)
                if best is not None:
                    end, payloads = best
                    found.append(Match(index, end, text[index:end], tuple(payloads)))
                    index = end
                    continue
            index += 1
        return found
