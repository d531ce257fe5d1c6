"""The answering pipeline stage by stage (issue #10): understand → candidates → rank → decide.

A tiny hand-made corpus (tests/fixtures/stages) with invented medicine names, so that every
expectation can be read off the fixture files:

    zentorin.md              Zentorin: own page, with FAQs (alcohol, missed dose, storage)
    zentorin-topical.md      Zentorin (Topical): a variant page
    zentorin-velamide.md     Zentorin + Velamide: a combination page
    velamide.md              Velamide: own page
    velamide-tablets.md      Velamide again: a duplicate page (same title, same text)
    quorvaline-pemastat.md   Quorvaline + Pemastat: the only page about either ingredient
    brivotane-calpheril.md   Brivotane + Calpheril: a thin page of a combination
    calpheril-brivotane.md   Calpheril + Brivotane: the same combination, a fuller page
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from rxquote import candidates as candidates_
from rxquote.answer import EMERGENCY_MESSAGE, Engine
from rxquote.candidates import COMBINATION, OWN, VARIANT, for_medicines
from rxquote.decide import NOT_COVERED_MESSAGE, choose, not_covered, supported
from rxquote.index import build
from rxquote.rank import WEIGHTS, Scored, Weights, rank
from rxquote.understand import IntentGuess, asking_part, understand

CORPUS = Path(__file__).parent / "fixtures" / "stages"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Engine:
    index_dir = tmp_path_factory.mktemp("stages-index")
    build(CORPUS, index_dir, use_lexicon=False)
    return Engine.open(CORPUS, index_dir)


def titles(engine: Engine, ids) -> set[str]:
    return {engine.index.title_of(int(i)) for i in ids}


def where(engine: Engine, s: Scored) -> tuple[str, str]:
    return engine.index.title_of(s.chunk), engine.index.section_of(s.chunk)


def ranked(engine: Engine, question: str, weights: Weights = WEIGHTS, **kw) -> list[Scored]:
    u = understand(engine, question, **kw)
    return rank(engine, u, for_medicines(engine, u.drugs), weights)


# -- understand: which medicines -----------------------------------------------------------------
def test_understand_medicine_named(tiny):
    u = understand(tiny, "what are the side effects of zentorin?")
    assert u.named == ("Zentorin",) and u.drugs == ("Zentorin",) and u.drugs_from == "named"
    assert [m.drug for m in u.mentions] == ["Zentorin"]


def test_understand_medicine_from_the_conversation(tiny):
    u = understand(tiny, "what about its side effects?", history=["what is velamide used for?"])
    assert u.named == () and u.drugs == ("Velamide",) and u.drugs_from == "conversation"


def test_a_follow_up_pointing_back_without_an_intent_keeps_the_last_questions(tiny):
    """"how long do they last?" after the side effects: "they" are the side effects; a follow-up
    with an intent of its own keeps that one."""
    history = ["what are the side effects of zentorin?"]
    u = understand(tiny, "how long do they last?", history=history)
    assert u.drugs == ("Zentorin",) and u.intent.name == "side_effects" and u.intent.source == "conversation"
    assert understand(tiny, "can i stop it suddenly?", history=history).intent.name == "stopping"
    assert understand(tiny, "how long do they last?").intent.source != "conversation"


def test_understand_newest_medicine_of_the_conversation_wins(tiny):
    u = understand(tiny, "and the dose?", history=["what is velamide used for?", "tell me about zentorin"])
    assert u.drugs == ("Zentorin",)


def test_understand_medicines_from_the_persons_list(tiny):
    u = understand(tiny, "which of my medicines can cause nausea?", medicines=["Zentorin", "Velamide"])
    assert u.drugs == ("Zentorin", "Velamide") and u.drugs_from == "my medicines" and u.my_list
    # "is it safe …?" with one medicine on the list: "it" is that medicine
    u = understand(tiny, "is it safe in pregnancy?", medicines=["Velamide"])
    assert u.drugs == ("Velamide",) and u.drugs_from == "my medicines"
    # a name that is not in the monographs is not on the list
    assert understand(tiny, "is it safe in pregnancy?", medicines=["Nothingazol"]).drugs == ()


def test_understand_medicine_from_the_sidebar_focus(tiny):
    u = understand(tiny, "side effects?", history=["what is zentorin used for?"], focus=["Velamide"])
    assert u.drugs == ("Velamide",) and u.drugs_from == "focus"


def test_understand_named_medicine_beats_focus_and_conversation(tiny):
    u = understand(tiny, "velamide side effects", history=["zentorin dose"], focus=["Zentorin"])
    assert u.drugs == ("Velamide",) and u.drugs_from == "named"


def test_understand_no_medicine(tiny):
    u = understand(tiny, "what are the side effects?")
    assert u.drugs == () and u.drugs_from == "none" and u.intent.name == "side_effects"


# -- understand: intent, its weight and its source --------------------------------------------
def test_intent_from_the_rules_with_its_weight(tiny):
    u = understand(tiny, "what are the side effects of zentorin?")
    assert u.intent == IntentGuess("side_effects", u.intent.weight, "rules") and u.intent.weight >= 5.0
    weak = understand(tiny, "zentorin and nausea")  # a symptom alone: the side-effects rules, lightly
    assert weak.intent.name == "side_effects" and 0 < weak.intent.weight < u.intent.weight


def test_intent_none_when_no_rule_matches(tiny):
    u = understand(tiny, "zentorin migraine")
    assert u.intent == IntentGuess(None, 0.0, "none")


def test_intent_of_a_bare_name_is_about(tiny):
    u = understand(tiny, "zentorin")
    assert (u.intent.name, u.intent.source) == ("about", "named alone")


def test_intent_of_two_medicines_is_taking_them_together(tiny):
    u = understand(tiny, "zentorin and velamide")
    assert u.drugs == ("Zentorin", "Velamide")
    assert (u.intent.name, u.intent.source) == ("precautions", "two medicines")
    u = understand(tiny, "zentorin vs velamide")
    assert (u.intent.name, u.intent.source, u.compare) == ("about", "two medicines", True)


def test_intent_carried_over_from_the_conversation(tiny):
    u = understand(tiny, "what about velamide?", history=["what are the side effects of zentorin?"])
    assert u.drugs == ("Velamide",) and (u.intent.name, u.intent.source) == ("side_effects", "conversation")
    u = understand(tiny, "and for older adults?", history=["what is the usual dose of zentorin?"])
    assert u.drugs == ("Zentorin",) and (u.intent.name, u.intent.source) == ("dosage", "conversation")


# -- understand: topic and key words ------------------------------------------------------------
def test_topic_is_what_is_asked_about_not_the_intent_or_the_medicine(tiny):
    u = understand(tiny, "can zentorin cause nightmares?")
    assert u.intent.name == "side_effects"
    assert u.topic == ("nightmar",) and "nightmar" in u.key
    assert not {"zentorin", "caus", "can"} & set(u.topic)


def test_amounts_and_form_labels_are_not_what_is_asked(tiny):
    # a strength told in a story is not the topic of a side-effect question, nor are the
    # "SUBJECT:" / "MESSAGE:" labels of a message form
    u = understand(tiny, "SUBJECT: zentorin\nMESSAGE: I take zentorin 500mg. Can it cause nightmares?")
    assert u.intent.name == "side_effects" and u.topic == ("nightmar",)
    # of a dose, the amount is what is asked
    u = understand(tiny, "is 500mg of zentorin too much?")
    assert "500mg" in u.topic


@pytest.mark.parametrize("text, said", [
    ("can my 6 year old take it", "can my 6 year old child take it"),
    ("a 4-month-old baby", "a 4-month-old child baby"),
    ("my 16 y/o son", "my 16 y/o child son"),
    ("my 80 year old mother", "my 80 year old elderly mother"),
    ("she is 45 years old", "she is 45 years old"),  # an adult: no group
    ("I have taken it for 2 years", "I have taken it for 2 years"),  # a duration, not an age
])
def test_an_age_gets_the_monographs_word_for_its_group(text, said):
    from rxquote.understand import said_age

    assert said_age(text) == said


def test_intent_words_are_key_words_but_not_topic(tiny):
    u = understand(tiny, "is zentorin habit forming?")
    assert u.intent.name == "addiction"
    assert {"habit", "form"} <= set(u.key)
    assert u.topic == ()
    u = understand(tiny, "can I drink alcohol with zentorin?")
    assert u.intent.name == "precautions" and {"drink", "alcohol"} <= set(u.key) and u.topic == ()


def test_everyday_words_are_expanded_to_the_monographs_words(tiny):
    u = understand(tiny, "can I take zentorin while pregnant?")
    assert {"pregnant", "pregnanc"} <= set(u.tokens)
    u = understand(tiny, "can zentorin give me a dry mouth?")
    assert {"mouth", "oral"} <= set(u.tokens)


# -- understand: misspelt ordinary words --------------------------------------------------------
@pytest.mark.parametrize(
    "question, wrong, right, intent",
    [
        ("zentorin side efects", "efects", "effects", "side_effects"),
        ("can I take zentorin while pregnent?", "pregnent", "pregnant", "precautions"),
        ("does zentorin cause drowsyness", "drowsyness", "drowsiness", "side_effects"),
        # as heavy as another reading, the corrected word is what the intent reads
        ("what is the dosege for zentorin", "dosege", "dosage", "dosage"),
    ],
)
def test_misspelt_words_are_corrected_to_the_corpus_vocabulary(tiny, question, wrong, right, intent):
    u = understand(tiny, question)
    assert u.corrected.get(wrong) == right
    assert u.intent.name == intent and u.drugs == ("Zentorin",)


def test_medicine_names_are_never_corrected(tiny):
    u = understand(tiny, "velamide side effects")
    assert "velamide" not in u.corrected and u.drugs == ("Velamide",)


def test_correct_words_outside_the_corpus_are_not_corrected(tiny):
    u = understand(tiny, "who makes zentorin?")
    assert u.corrected == {} and u.intent.name == "out_of_scope"


# -- understand: long messages ------------------------------------------------------------------
STORY = ("Hi there. My sister has been on zentorin for a year now and she is doing well. "
         "She told me about some dizziness last week. What is the usual dose?")


def test_asking_part_keeps_the_sentences_that_ask():
    assert asking_part(STORY) == "What is the usual dose?"
    assert asking_part("zentorin side effects") == "zentorin side effects"
    assert asking_part("I take zentorin. It is great. Thanks.") == "I take zentorin. It is great. Thanks."


@pytest.mark.parametrize("message, asking", [
    ("I take zentorin daily. I get headaches since. Is this normal?", "I get headaches since. Is this normal?"),
    ("I take zentorin. My mouth is dry all day. Could zentorin be causing it?",
     "My mouth is dry all day. Could zentorin be causing it?"),
    ("I take zentorin. I feel fine now. Can I stop taking it?", "Can I stop taking it?"),  # "it": the medicine
    ("I take zentorin. I feel fine now. Is it safe to stop?", "Is it safe to stop?"),
    # too short to say what about: the sentence before says it
    ("I take zentorin for my skin. I have a rash on my arms now. Should I stop?",
     "I have a rash on my arms now. Should I stop?"),
    ("My mom takes zentorin. She bruises easily now. What should she do?", "She bruises easily now. What should she do?"),
])
def test_asking_part_takes_the_sentence_the_question_points_back_at(message, asking):
    assert asking_part(message) == asking


def test_long_message_medicine_from_the_story_intent_from_the_question(tiny):
    u = understand(tiny, STORY)
    assert u.drugs == ("Zentorin",)  # named in the story only
    assert u.asking == "What is the usual dose?"
    assert u.intent.name == "dosage"  # not side_effects from "dizziness" in the story


def test_what_the_medicine_is_taken_for_in_a_story_is_not_the_topic(tiny):
    u = understand(tiny, "My sister takes zentorin for her migraine headaches. Is it a problem that she feels dizzy?")
    assert u.drugs == ("Zentorin",) and not {"migrain", "headach"} & set(u.topic), u.topic
    # asked in the question itself, or asked what it is for: it is the topic
    assert "migrain" in understand(tiny, "can zentorin be used for migraine in children?").topic


def test_is_that_true_after_a_story_reads_the_whole_message(tiny):
    u = understand(tiny, "My friend said zentorin can cause nightmares. Is that true?")
    assert u.asking == u.question
    assert u.intent.name == "side_effects" and "nightmar" in u.topic and u.drugs == ("Zentorin",)


def test_message_longer_than_the_limit_is_read_up_to_it(tiny):
    from rxquote.understand import MAX_QUESTION_CHARS

    u = understand(tiny, "zentorin side effects " + "blahblah " * 1000)
    assert len(u.question) <= MAX_QUESTION_CHARS and u.drugs == ("Zentorin",)
    assert u.question.endswith("blahblah")  # cut at a word, never mid-word


# -- understand: emergencies ------------------------------------------------------------------
def test_emergency_trigger(tiny):
    u = understand(tiny, "my son swallowed a whole bottle of zentorin")
    assert u.emergency is not None and u.drugs == ("Zentorin",)
    a = tiny.ask("my son swallowed a whole bottle of zentorin")
    assert a.status == "emergency" and a.message == EMERGENCY_MESSAGE and not a.passages
    assert a.drugs == ("Zentorin",)
    assert understand(tiny, "zentorin side effects").emergency is None


# -- candidates ---------------------------------------------------------------------------------
def test_candidates_own_page_and_variant_page(tiny):
    c = for_medicines(tiny, ("Zentorin",))
    assert titles(tiny, c.ids) == {"Zentorin", "Zentorin (Topical)"}
    for cid in c.ids.tolist():
        expected = OWN if tiny.index.title_of(cid) == "Zentorin" else VARIANT
        assert c.page[cid] == expected
    assert OWN > VARIANT > COMBINATION


def test_candidates_combination_only_when_two_ingredients_are_named(tiny):
    alone = for_medicines(tiny, ("Velamide",))
    assert "Zentorin + Velamide" not in titles(tiny, alone.ids)
    both = for_medicines(tiny, ("Zentorin", "Velamide"))
    combo = [c for c in both.ids.tolist() if tiny.index.title_of(c) == "Zentorin + Velamide"]
    assert combo and all(both.page[c] == OWN for c in combo)


def test_a_combination_with_more_than_the_named_medicines_comes_after_theirs(tiny):
    both = for_medicines(tiny, ("Zentorin", "Velamide"))
    page = {tiny.index.title_of(c): both.page[c] for c in both.ids.tolist()}
    assert page["Zentorin + Velamide"] == OWN
    assert page["Tessamine + Velamide + Zentorin"] == VARIANT  # a third medicine in it: not just theirs
    # named by its own name, it is the page asked about
    own = for_medicines(tiny, ("Tessamine + Velamide + Zentorin",))
    assert set(own.page.values()) == {OWN}


def test_candidates_combination_named_by_its_own_name(tiny):
    c = for_medicines(tiny, ("Zentorin + Velamide",))
    assert titles(tiny, c.ids) == {"Zentorin + Velamide"} and set(c.page.values()) == {OWN}


def test_candidates_medicine_only_on_a_combination_page_still_gets_it(tiny):
    c = for_medicines(tiny, ("Quorvaline",))
    assert titles(tiny, c.ids) == {"Quorvaline + Pemastat"}
    sections = {tiny.index.section_of(i) for i in c.ids.tolist()}
    assert {"usage", "side_effects"} <= sections


def test_a_medicine_only_on_a_combination_page_is_answered_from_it(tiny):
    a = tiny.ask("quorvaline side effects")
    assert a.status == "answered" and a.passages[0].title == "Quorvaline + Pemastat"


def test_candidates_duplicate_pages_are_both_candidates_and_never_disclaimers(tiny):
    c = for_medicines(tiny, ("Velamide",))
    sources = {tiny.index.source_of(i) for i in c.ids.tolist()}
    assert sources == {"velamide.md", "velamide-tablets.md"}
    assert all(tiny.index.section_of(i) != "disclaimer" for i in c.ids.tolist())


def test_duplicate_pages_of_one_combination_are_one_medicine(tiny):
    assert tiny.duplicates_of("Brivotane + Calpheril") == ("Calpheril + Brivotane",)
    assert tiny.duplicates_of("Calpheril + Brivotane") == ("Brivotane + Calpheril",)
    assert tiny.duplicates_of("Quorvaline + Pemastat") == () and tiny.duplicates_of("Velamide") == ()


def test_of_duplicate_combination_pages_the_fullest_is_the_own_page(tiny):
    # named by another name (a brand): the fuller page is its own page, the thin one next
    c = for_medicines(tiny, ("Brivotane + Calpheril",))
    page = {tiny.index.title_of(i): c.page[i] for i in c.ids.tolist()}
    assert page["Calpheril + Brivotane"] == OWN
    assert page["Brivotane + Calpheril"] == candidates_.THINNER_DUPLICATE < OWN


def test_of_duplicate_combination_pages_the_one_typed_is_the_own_page(tiny):
    c = for_medicines(tiny, ("Calpheril + Brivotane",), question="Is brivotane-calpheril safe?")
    page = {tiny.index.title_of(i): c.page[i] for i in c.ids.tolist()}
    assert page["Brivotane + Calpheril"] == OWN
    assert page["Calpheril + Brivotane"] == candidates_.THINNER_DUPLICATE
    # both titles' words, in no title's order: the fullest
    c = for_medicines(tiny, ("Brivotane + Calpheril",), question="brivotane or calpheril, smoking?")
    assert {tiny.index.title_of(i) for i in c.ids.tolist() if c.page[i] == OWN} == {"Calpheril + Brivotane"}


def test_a_combination_named_as_one_quotes_its_fuller_duplicate_first(tiny):
    ranked_ = rank(tiny, understand(tiny, "can i smoke on brivotane + calpheril"),
                   for_medicines(tiny, ("Brivotane + Calpheril",)))
    assert where(tiny, ranked_[0]) == ("Calpheril + Brivotane", "precautions")


@pytest.mark.parametrize(
    "text, says",
    [
        ("Zentorin is a statin used to lower cholesterol.", True),
        ("Zentorin belongs to a class of medications called HMG-CoA reductase inhibitors (statins).", True),
        ("Zentorin is used together with statins to lower cholesterol.", False),  # only mentions the class
        ("Zentorin lowers blood pressure.", None),
    ],
)
def test_a_page_says_it_is_of_a_class_or_only_mentions_it(tiny, text, says):
    an = tiny.index.analyzer
    assert candidates_._class_mention(an, text, an.tokens("statins")) is says


@pytest.mark.parametrize(
    "text, points_back",
    [
        ("is it safe?", True),
        ("can I take it with alcohol", True),
        ("is it ok to drink on antibiotics", False),  # a dummy "it": it stands for no medicine
        ("would it be safe to take antihistamines while pregnant", False),
        ("is it ok to take it with food", True),  # the second "it" is a medicine
        ("can I take ibuprofen with my pills", True),
    ],
)
def test_a_pronoun_points_back_unless_it_is_a_dummy_it(text, points_back):
    from rxquote.understand import refers_back

    assert refers_back(text) is points_back


@pytest.mark.parametrize("question", ["zentorin for headaches?", "is zentorin for nail fungus"])
def test_a_medicine_for_something_asks_what_it_is_used_for(tiny, question):
    u = understand(tiny, question)
    assert u.intent.name == "usage" and u.intent.source == "rules"


@pytest.mark.parametrize("question", ["zentorin for kids ok?", "zentorin for my son?", "zentorin for a month?"])
def test_a_medicine_for_someone_or_some_time_is_not_what_it_treats(tiny, question):
    assert understand(tiny, question).intent.name != "usage"


def test_for_in_a_longer_story_is_what_the_person_takes_it_for(tiny):
    u = understand(tiny, "I have been taking zentorin for my headaches for a month, can I drink alcohol?")
    assert u.intent.name == "precautions"


@pytest.mark.parametrize("question", ["can zentorin make you put on weight", "took 2 zentorin instead of 1"])
def test_light_verbs_are_not_topic_words(tiny, question):
    u = understand(tiny, question)
    assert not {"put", "took", "instead"} & set(u.topic)


@pytest.mark.parametrize("question", ["how long does zentorin take to work", "zentorin", "can i take zentorin",
                                      "what does zentorin look like", "zentorin with velamide"])
def test_rank_never_returns_a_passage_with_no_relevance(tiny, question):
    # a page's bonus alone ("it is the medicine's page") answers nothing
    assert all(s.relevance > 0 for s in ranked(tiny, question))


def test_candidates_of_an_unknown_name_are_empty(tiny):
    assert for_medicines(tiny, ("Nothingazol",)).ids.size == 0


def test_plain_key_drops_routes_and_salts():
    assert candidates_.plain_key("Zentorin (Topical)") == candidates_.plain_key("Zentorin") == "zentorin"


# -- rank ---------------------------------------------------------------------------------------
def test_rank_own_page_over_its_variant(tiny):
    best = ranked(tiny, "zentorin side effects")
    assert where(tiny, best[0]) == ("Zentorin", "side_effects")
    assert ("Zentorin (Topical)", "side_effects") in [where(tiny, s) for s in best]


def test_rank_custom_weights_change_the_order(tiny):
    # both side-effects sections name dryness; the variant page's says more about it
    question = "zentorin side effects dry"
    assert understand(tiny, question).topic == ("dri",)
    default = ranked(tiny, question)
    no_page = ranked(tiny, question, Weights(page=0.0))
    assert where(tiny, default[0]) == ("Zentorin", "side_effects")
    assert where(tiny, no_page[0]) == ("Zentorin (Topical)", "side_effects")


def test_rank_section_weights_decide_between_sections(tiny):
    # "what does zentorin do for migraine": how it works (the intent) vs usage (names migraine)
    question = "what does zentorin do for migraine"
    assert where(tiny, ranked(tiny, question)[0])[1] in ("usage", "how_it_works")
    lexical_first = Weights(lexical=5.0)
    assert where(tiny, ranked(tiny, question, lexical_first)[0]) == ("Zentorin", "usage")
    section_first = Weights(section_choice=(5.0, 1.0, 0.6), sure_intent=1.0)  # every intent taken as sure
    assert where(tiny, ranked(tiny, question, section_first)[0]) == ("Zentorin", "how_it_works")


def test_rank_the_faq_that_asks_the_question_beats_a_section_that_never_names_it(tiny):
    best = ranked(tiny, "can I drink alcohol with zentorin?")
    assert where(tiny, best[0]) == ("Zentorin", "faq")
    assert tiny.index.heading_of(best[0].chunk) == "Can I drink alcohol while taking Zentorin?"
    # a precautions block that never names alcohol is not quoted above it (nor, below half its relevance, at all)
    assert ("Zentorin", "precautions") not in [where(tiny, s) for s in best[:1]]


def test_rank_the_faq_that_is_the_same_question_beats_the_intents_section(tiny):
    # every word of it is an everyday word, and the intent (dosage) wants the dosage section
    u = understand(tiny, "how long can i take velamide")
    assert u.intent.name == "dosage" and not u.topic
    best = rank(tiny, u, for_medicines(tiny, u.drugs))
    assert tiny.index.heading_of(best[0].chunk) == "How long can I take Velamide?"
    assert best[0].parts["faq_same"] == 1.0
    without = rank(tiny, u, for_medicines(tiny, u.drugs), Weights(faq_same=0.0))
    assert where(tiny, without[0]) == ("Velamide", "dosage")


def test_rank_a_question_naming_its_section_gets_the_section_not_a_look_alike_faq(tiny):
    # "What should I do if I miss a dose?" shares its word "dose"
    best = ranked(tiny, "what is the usual dose of zentorin?")
    assert where(tiny, best[0]) == ("Zentorin", "dosage")
    assert not any(s.parts.get("faq_same") for s in best)


def test_rank_a_word_missing_from_the_pages_is_read_in_the_pages_own_form_of_it(tiny):
    # "pigmentation" is nowhere in Zentorin's pages; "hyperpigmentation" is
    best = ranked(tiny, "can zentorin cause pigmentation of the skin?")
    assert where(tiny, best[0]) == ("Zentorin", "side_effects")
    assert best[0].parts["forms"] == {"pigment": ["hyperpigment"]} and best[0].parts["lexical"] == 1.0


def test_rank_a_weak_intent_yields_to_the_words_that_say_what_is_asked(tiny):
    # "why is …" hints at uses (weight 2 of a sure 5); "dizziness" is in the side effects
    u = understand(tiny, "why is dizziness such a big deal with zentorin?")
    assert u.intent.name == "usage" and u.intent.weight < WEIGHTS.sure_intent
    assert where(tiny, rank(tiny, u, for_medicines(tiny, u.drugs))[0]) == ("Zentorin", "side_effects")
    as_if_sure = rank(tiny, u, for_medicines(tiny, u.drugs), Weights(sure_intent=u.intent.weight))
    assert where(tiny, as_if_sure[0]) == ("Zentorin", "usage")


def test_rank_drops_passages_that_share_only_the_medicine_name(tiny):
    best = ranked(tiny, "zentorin migraine")
    assert [where(tiny, s) for s in best] == [("Zentorin", "usage")]
    for s in ranked(tiny, "can zentorin cause nightmares?"):
        # nothing names nightmares: only the wanted section stays
        assert tiny.index.section_of(s.chunk) == "side_effects"


def test_rank_scores_are_best_first_and_the_floor_drops_the_weak(tiny):
    best = ranked(tiny, "zentorin side effects")
    finals = [s.final for s in best]
    assert finals == sorted(finals, reverse=True)
    top = max(s.relevance for s in best)
    assert all(s.relevance >= WEIGHTS.relative_floor * top for s in best)
    everything = ranked(tiny, "zentorin side effects", Weights(relative_floor=0.0))
    assert len(everything) >= len(best)


# -- decide -------------------------------------------------------------------------------------
def u_(intent: str | None, topic=()):
    return SimpleNamespace(intent=IntentGuess(intent, 4.0 if intent else 0.0, "rules" if intent else "none"),
                           topic=tuple(topic))


def s_(bm25: float = 0.0, **parts) -> Scored:
    return Scored(chunk=1, final=1.0, relevance=1.0, bm25=bm25, parts=parts)


def test_supported_out_of_scope_is_never_supported():
    assert not supported(u_("out_of_scope"), [s_(bm25=3.0)])
    assert not supported(u_("out_of_scope", ["price"]), [s_(faq_intent=True)])


def test_supported_by_lexical_support():
    assert supported(u_(None, ["nightmar"]), [s_(bm25=0.0), s_(bm25=2.5)])
    assert supported(u_(None, ["nightmar"]), [s_(faq_words=0.6)])
    assert supported(u_(None, ["nightmar"]), [s_(faq_intent=True)])


def test_supported_by_intent_without_lexical_support():
    assert supported(u_("side_effects", ["nightmar"]), [s_(bm25=0.0)])
    assert supported(u_("dosage"), [s_()])


def test_not_supported_by_neither():
    assert not supported(u_(None, ["nightmar"]), [s_(bm25=0.0), s_(faq_words=0.3)])
    assert not supported(u_("side_effects"), [])  # nothing ranked


def test_not_covered_names_the_medicine_its_sections_and_faq_questions():
    msg = not_covered(["Zentorin"], {"usage", "side_effects", "faq", "overview"},
                      ["Can I drink alcohol while taking Zentorin?", "How should I store Zentorin?"])
    assert msg.startswith(NOT_COVERED_MESSAGE.format(names="Zentorin", sections="usage, side effects"))
    assert "\u201cCan I drink alcohol while taking Zentorin?\u201d" in msg
    assert "\u201cHow should I store Zentorin?\u201d" in msg
    two = not_covered(["Zentorin", "Velamide"], {"dosage"}, [])
    assert two == NOT_COVERED_MESSAGE.format(names="Zentorin and Velamide", sections="dosage")
    assert "an overview" in not_covered(["Quorvaline"], {"overview"}, [])


def test_not_covered_from_the_engine_quotes_the_faq_questions_verbatim(tiny):
    a = tiny.ask("how much does zentorin cost?")
    assert a.status == "no_match" and a.drugs == ("Zentorin",) and not a.passages
    assert a.message.startswith("The monograph of Zentorin does not cover this.")
    for section in ("usage", "dosage", "side effects", "how it works", "precautions"):
        assert section in a.message
    for q in ("Can I drink alcohol while taking Zentorin?", "What should I do if I miss a dose?",
              "How should I store Zentorin?"):
        assert f"\u201c{q}\u201d" in a.message


def test_choose_drops_duplicate_texts_and_keeps_the_order():
    scored = [Scored(c, 5.0 - c, 1.0, 0.0) for c in range(5)]
    text = {0: "a", 1: "a", 2: "b", 3: "c", 4: "b"}
    assert [s.chunk for s in choose(scored, 3, text.get)] == [0, 2, 3]
    assert [s.chunk for s in choose(scored, 10, text.get)] == [0, 2, 3]
    assert [s.chunk for s in choose(scored, 1, text.get)] == [0]


def test_duplicate_pages_are_quoted_once(tiny):
    a = tiny.ask("velamide side effects", top_k=5)
    assert a.status == "answered"
    texts = [p.text for p in a.passages]
    assert len(texts) == len(set(texts))
    assert a.passages[0].source == "velamide.md"  # of two duplicates, the file named for the medicine


def test_a_question_the_page_cannot_answer_quotes_nothing_off_intent(tiny):
    a = tiny.ask("how long does zentorin take to kick in?")  # Zentorin's page never says how long
    assert a.status == "no_match" or all(p.section in ("faq", "how_it_works", "dosage") for p in a.passages), \
        [(p.section, p.heading) for p in a.passages]


def test_candidates_named_apart_their_combination_comes_after_their_own_pages(tiny):
    from rxquote.candidates import OTHER_OWN

    c = for_medicines(tiny, ("Zentorin", "Velamide"), apart=True)
    weight = {tiny.index.title_of(i): c.page[i] for i in c.ids.tolist()}
    assert weight["Zentorin"] == weight["Velamide"] == OWN
    assert weight["Zentorin + Velamide"] < OTHER_OWN  # theirs, but after their own pages
    together = for_medicines(tiny, ("Zentorin", "Velamide"))  # named as one: the combination first
    weight = {tiny.index.title_of(i): together.page[i] for i in together.ids.tolist()}
    assert weight["Zentorin + Velamide"] == OWN and weight["Zentorin"] == weight["Velamide"] == OTHER_OWN


def test_understand_named_apart_or_together(tiny):
    assert understand(tiny, "can I take zentorin with velamide?").apart
    assert not understand(tiny, "zentorin and velamide").apart
    assert not understand(tiny, "the zentorin velamide combination").apart


# -- two medicines: the one asked about -----------------------------------------------------------
@pytest.mark.parametrize("question, subject", [
    ("can I take zentorin with velamide?", "Zentorin"),
    ("can I take velamide with zentorin?", "Velamide"),
    ("I take velamide every morning. Can I take zentorin too?", "Zentorin"),  # the medicine the question names
    ("I take zentorin every day. My doctor now prescribes velamide. Is it safe to take both?", "Velamide"),  # the newest
])
def test_of_two_medicines_the_one_asked_about_comes_first(tiny, question, subject):
    u = understand(tiny, question)
    assert u.drugs[0] == subject and set(u.drugs) == {"Zentorin", "Velamide"}
    own = [s for s in rank(tiny, u, for_medicines(tiny, u.drugs)) if " + " not in tiny.index.title_of(s.chunk)]
    assert tiny.index.drug_of(own[0].chunk) == subject


def test_it_after_two_medicines_is_the_one_that_was_asked_about(tiny):
    history = ["can I take zentorin with velamide?"]
    assert understand(tiny, "how much of it can I take?", history=history).drugs == ("Zentorin",)
    assert set(understand(tiny, "can I take them at the same time?", history=history).drugs) == {"Zentorin", "Velamide"}
    story = ["I take velamide every morning. Can I take zentorin too?"]
    assert understand(tiny, "how often can I take it?", history=story).drugs == ("Zentorin",)


def test_a_follow_up_keeps_how_the_medicines_were_named(tiny):
    # named apart: "them" are two medicines, so their combination page is not their own page
    u = understand(tiny, "can I take them at the same time?", history=["can I take zentorin with velamide?"])
    assert u.drugs_from == "conversation" and u.apart
    pages = for_medicines(tiny, u.drugs, apart=u.apart).page
    assert {p for c, p in pages.items() if " + " in tiny.index.title_of(c)} == {VARIANT}
    # named as one combination: "its" is the combination, not the first of its ingredients
    u = understand(tiny, "what are its side effects?", history=["what is the zentorin and velamide combination for?"])
    assert set(u.drugs) == {"Zentorin", "Velamide"} and not u.apart
    pages = for_medicines(tiny, u.drugs, apart=u.apart).page
    assert {p for c, p in pages.items() if tiny.index.title_of(c) == "Zentorin + Velamide"} == {OWN}


def test_everyday_words_are_not_read_as_a_topics_other_words(tiny):
    # "nurse" the person is an everyday word; "nursing" (breastfeeding) is a topic
    assert "breastfeed" not in understand(tiny, "my nurse said zentorin is fine for my back").asked
    assert "breastfeed" in understand(tiny, "is zentorin ok while nursing?").asked


def test_a_second_medicine_offered_instead_is_told_from_one_taken_with_it(tiny):
    assert understand(tiny, "can I take zentorin? what about velamide?").instead
    assert not understand(tiny, "can I take zentorin with velamide?").instead
    assert not understand(tiny, "what about zentorin?").instead  # one medicine: nothing instead of it
