"""Pseudo-bullet markers: what counts as a bullet, and what is left alone."""

from __future__ import annotations

from scraper.parser.bullets import pseudo_bullets, split_marker


def test_distinctive_markers_need_a_space_and_are_removed() -> None:
    assert split_marker("▶ SOFA grants privileges") == ("▶", "SOFA grants privileges")
    assert split_marker("•\u00a0Bread") == ("•", "Bread")
    assert split_marker("✓ Done") == ("✓", "Done")
    assert split_marker("•Bread") is None
    assert split_marker("Plain sentence.") is None


def test_numbering_is_recognised_with_dot_or_parenthesis() -> None:
    assert split_marker("1. Register online") == ("#.1", "Register online")
    assert split_marker("2) Pay the fee") == ("#)2", "Pay the fee")
    assert split_marker("2026 was a year") is None


def test_a_single_distinctive_bullet_paragraph_counts() -> None:
    assert pseudo_bullets(["Intro text.", "● Only point", "Outro."]) == [None, "Only point", None]


def test_dashes_count_only_in_runs_so_a_lone_dialogue_dash_stays_text() -> None:
    assert pseudo_bullets(["– Where were you? – she asked.", "He did not answer."]) == [None, None]
    assert pseudo_bullets(["- flour", "- eggs", "Mix well."]) == ["flour", "eggs", None]
    # Mixed dash styles are not one list.
    assert pseudo_bullets(["- flour", "* eggs"]) == [None, None]


def test_negative_numbers_are_not_dash_bullets() -> None:
    assert pseudo_bullets(["-5 °C at night", "-3 °C in the morning"]) == [None, None]


def test_numbering_needs_a_consecutive_run() -> None:
    assert pseudo_bullets(["1. FC Köln won on Saturday.", "The fans celebrated."]) == [None, None]
    assert pseudo_bullets(["1. Register", "2. Pay", "3. Collect"]) == ["Register", "Pay", "Collect"]
    assert pseudo_bullets(["3. Oktober is a holiday.", "5. Mai is not."]) == [None, None]


def test_runs_restart_after_a_normal_paragraph() -> None:
    texts = ["1. One", "2. Two", "Between.", "1. Again", "2. And again"]
    assert pseudo_bullets(texts) == ["One", "Two", None, "Again", "And again"]
