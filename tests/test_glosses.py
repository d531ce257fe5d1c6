"""What an abbreviation stands for, read from the text before it in parentheses."""

from collections import Counter

import pytest

from rxquote.glosses import (beside, definition_before, definitions, is_plural, looks_like_abbreviation,
                            most_common, schwartz_hearst)


@pytest.mark.parametrize(
    "abbreviation, before, expected",
    [
        ("MAOIs", "Do not take it with monoamine oxidase inhibitors ", "monoamine oxidase inhibitors"),
        ("PPI", "Omeprazole is a proton pump inhibitor ", "proton pump inhibitor"),
        ("TCAs", "other antidepressants, including tricyclic antidepressants ", "tricyclic antidepressants"),
        ("NSAIDs", "such as nonsteroidal anti-inflammatory drugs ", "nonsteroidal anti inflammatory drugs"),
        ("SSRI", "Escitalopram is a selective serotonin reuptake inhibitor ", "selective serotonin reuptake inhibitor"),
        ("CNS", "It may depress the central nervous system ", "central nervous system"),
    ],
)
def test_the_definition_before_an_abbreviation(abbreviation, before, expected):
    assert definition_before(abbreviation, before) == expected


def test_the_definition_stays_in_its_sentence_and_needs_the_letters():
    assert definition_before("ACE", "Take it daily. Avoid this enzyme ") is None  # no word starts with "a" here
    assert definition_before("PPI", "It is a proton pump inhibitor. Other ") is None
    assert definition_before("XR", "") is None


def test_every_letter_starting_a_word_is_preferred_to_the_plain_rule():
    # Schwartz & Hearst's rule alone stops at the shortest run that holds the letters
    assert schwartz_hearst("ppi", "a proton pump inhibitor") == "pump inhibitor"
    assert definition_before("PPI", "a proton pump inhibitor ") == "proton pump inhibitor"


def test_definitions_are_counted_over_texts_and_the_clear_one_wins():
    texts = ["Avoid monoamine oxidase inhibitors (MAOIs) for 14 days.",
             "Do not combine with monoamine oxidase inhibitors (MAOI).",
             "Taking it with mao inhibitors (MAOIs) is dangerous.",
             "Nothing here about (MAOIs"]
    found = definitions("MAOIs", texts)  # "(MAOI)" is the same abbreviation
    assert found == Counter({"monoamine oxidase inhibitors": 2, "mao inhibitors": 1})
    assert most_common(found) == "monoamine oxidase inhibitors"
    assert most_common(Counter({"a b": 2, "c d": 2, "e f": 1})) is None  # no clear one
    assert most_common(Counter({"tricyclic antidepressants": 3, "tricyclic agents": 1})) == "tricyclic antidepressants"
    assert most_common(Counter({"urinary tract infection": 1})) is None  # one page's say is not enough
    assert most_common(Counter()) is None


@pytest.mark.parametrize("word, looks", [("MAOIs", True), ("ppi", True), ("tcas", True), ("x", False),
                                         ("DMARDs", True), ("mg5", False), ("hydrochlorothiazide", False)])
def test_what_looks_like_an_abbreviation(word, looks):
    assert looks_like_abbreviation(word) is looks


def test_an_everyday_name_is_what_stands_beside_it_in_parentheses():
    classes = {"anticoagulants": "anticoagulants", "anticoagulant": "anticoagulants", "diuretic": "diuretics"}
    texts = ["Avoid it with anticoagulants (blood thinners) such as warfarin.",
             "Blood thinners (anticoagulant) raise the risk of bleeding.",
             "It may interact with other blood-thinners (warfarin).",  # a medicine in it, not a class
             "It is a diuretic (water pill)."]
    found = beside("blood thinners", texts, classes.get)
    assert found == Counter({"anticoagulants": 2})
    assert beside("water pills", texts, classes.get) == Counter({"diuretics": 1})
    assert beside("blood thinners", ["Nothing about it here."], classes.get) == Counter()


@pytest.mark.parametrize("phrase, plural", [("blood thinners", True), ("painkillers", True), ("beta blocker", False),
                                            ("glass", False), ("flu", False)])
def test_only_plurals_are_looked_up_as_everyday_class_names(phrase, plural):
    assert is_plural(phrase) is plural
