"""Gazetteer: leftmost-longest search for many names in one pass."""

from __future__ import annotations

from service.extract.gazetteer import Gazetteer


def found(gazetteer: Gazetteer[str], text: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(match.surface, match.payloads) for match in gazetteer.find(text)]


def test_the_longest_name_wins_where_names_begin_at_the_same_place() -> None:
    gazetteer = Gazetteer([("Norvik", "norvik"), ("Norvik Energy", "norvik-energy")])
    text = "Norvik Energy and Norvik met."
    assert [(m.start, m.end, m.payloads) for m in gazetteer.find(text)] == [
        (0, 13, ("norvik-energy",)),
        (18, 24, ("norvik",)),
    ]


def test_the_leftmost_name_wins_over_an_overlapping_later_one() -> None:
    gazetteer = Gazetteer([("Blue Orbit", "orbit"), ("Orbit Labs", "labs")])
    assert found(gazetteer, "Blue Orbit Labs grew") == [("Blue Orbit", ("orbit",))]


def test_a_longer_name_that_stops_inside_a_word_falls_back_to_the_shorter_one() -> None:
    gazetteer = Gazetteer([("Norvik", "norvik"), ("Norvik Energy", "norvik-energy")])
    assert found(gazetteer, "Norvik Energyx") == [("Norvik", ("norvik",))]


def test_case_is_folded() -> None:
    gazetteer = Gazetteer([("Talon Robotics", "talon")])
    assert found(gazetteer, "TALON ROBOTICS and Talon robotics") == [
        ("TALON ROBOTICS", ("talon",)),
        ("Talon robotics", ("talon",)),
    ]


def test_fullwidth_characters_match_their_ascii_forms() -> None:
    gazetteer = Gazetteer([("KT", "kt"), ("Norvik", "norvik")])
    text = "ＫＴ와 Ｎｏｒｖｉｋ"
    assert [(m.start, m.end, m.surface) for m in gazetteer.find(text)] == [
        (0, 2, "ＫＴ"),
        (4, 10, "Ｎｏｒｖｉｋ"),
    ]


def test_names_with_spaces_match_text_without_them_and_the_reverse() -> None:
    gazetteer = Gazetteer(
        [("한빛 전자", "hanbit"), ("누리텔레콤", "nuri"), ("Blue Orbit", "orbit")]
    )
    assert found(gazetteer, "한빛전자와 누리 텔레콤") == [
        ("한빛전자", ("hanbit",)),
        ("누리 텔레콤", ("nuri",)),
    ]
    assert found(gazetteer, "BlueOrbit, Blue  Orbit") == [
        ("BlueOrbit", ("orbit",)),
        ("Blue  Orbit", ("orbit",)),
    ]


def test_latin_names_need_word_boundaries() -> None:
    gazetteer = Gazetteer([("LG", "lg")])
    text = "LGBT groups, xLG, LG-branded LG's LG2"
    assert [(m.start, m.surface) for m in gazetteer.find(text)] == [(18, "LG"), (29, "LG")]


def test_a_hangul_name_does_not_begin_inside_a_hangul_word() -> None:
    gazetteer = Gazetteer([("메타", "meta")])
    assert found(gazetteer, "프로메타와 메타") == [("메타", ("meta",))]


def test_a_capitalised_name_is_not_found_in_lower_case_text() -> None:
    gazetteer = Gazetteer([("Arm", "arm-holdings")])
    assert [(m.start, m.surface) for m in gazetteer.find("the arm of Arm")] == [(11, "Arm")]


def test_a_lower_case_name_is_found_whatever_the_case() -> None:
    gazetteer = Gazetteer([("e&", "eand")])
    assert found(gazetteer, "e& and E& agreed") == [("e&", ("eand",)), ("E&", ("eand",))]


def test_a_name_shorter_than_the_minimum_is_ignored() -> None:
    gazetteer = Gazetteer([("X", "x"), ("XY", "xy")])
    assert gazetteer.size == 1
    assert found(gazetteer, "X and XY") == [("XY", ("xy",))]
    assert found(Gazetteer([("X", "x")], min_length=1), "X and x") == [("X", ("x",))]


def test_one_name_may_stand_for_several_payloads_without_duplicates() -> None:
    gazetteer = Gazetteer(
        [("Orion", "orion-bank"), ("Orion", "orion-motors"), ("Orion", "orion-bank")]
    )
    assert gazetteer.size == 2
    assert found(gazetteer, "Orion said") == [("Orion", ("orion-bank", "orion-motors"))]


def test_names_added_after_construction_are_found() -> None:
    gazetteer: Gazetteer[str] = Gazetteer()
    assert found(gazetteer, "Talon joined") == []
    gazetteer.add("Talon", "talon")
    assert gazetteer.size == 1
    assert found(gazetteer, "Talon joined") == [("Talon", ("talon",))]


def test_the_accept_callback_rejects_candidates_and_the_next_longest_is_taken() -> None:
    gazetteer = Gazetteer([("Norvik", "norvik"), ("Norvik Energy", "norvik-energy")])
    text = "Norvik Energy and Norvik Energy"
    calls: list[tuple[int, int]] = []

    def only_the_second_place(start: int, end: int) -> bool:
        calls.append((start, end))
        return start > 0 or end - start < 8

    assert [(m.start, m.end) for m in gazetteer.find(text, only_the_second_place)] == [
        (0, 6),
        (18, 31),
    ]
    assert (0, 13) in calls
