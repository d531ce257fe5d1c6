"""Answering (issue #3): names as people write them, intents, follow-ups, statuses, and the
core promise — passages are verbatim, attributed, and always come with the disclaimer."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rxquote.answer import (
    CLARIFY_MESSAGE, DISCLAIMER, EMERGENCY_MESSAGE, NO_MATCH_MESSAGE, STATUSES, Answer,
)
from rxquote.corpus import trim_span

from .conftest import SEEDS


def top(answer: Answer):
    assert answer.status == "answered", (answer.question, answer.status, answer.message)
    return answer.passages[0]


def assert_verbatim(answer: Answer, corpus=SEEDS):
    for p in answer.passages:
        lines = (corpus / p.source).read_text(encoding="utf-8").split("\n")
        assert trim_span("\n".join(lines[p.start_line - 1 : p.end_line])) == p.text


# -- medicine names ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question, drug",
    [
        ("what is valium used for?", "Diazepam"),  # brand
        ("tofranil side effects", "Imipramine"),  # brand
        ("is diazapam addictive", "Diazepam"),  # misspelling
        ("imipramin dosage", "Imipramine"),  # misspelling
        ("how do diazepam tablets work", "Diazepam"),  # form word
        ("DIAZEPAM side effects", "Diazepam"),  # case
    ],
)
def test_medicine_names(seed_engine, question, drug):
    a = seed_engine.ask(question)
    assert a.drugs == (drug,)
    assert top(a).drug == drug


def test_two_medicines_in_one_question(seed_engine):
    a = seed_engine.ask("can I take diazepam with imipramine?")
    assert set(a.drugs) == {"Diazepam", "Imipramine"}
    assert {p.drug for p in a.passages} >= {"Diazepam", "Imipramine"} or a.passages[0].drug == "Diazepam + Imipramine"


def test_salt_and_brand_names_on_rxhive(rxhive_engine):
    cases = {
        "lipitor side effects": ("Atorvastatin", "side_effects"),
        "what is tylenol used for": ("Paracetamol", "usage"),
        "metoprolol succinate side effects": ("Metoprolol Succinate", "side_effects"),
        "amoxicilin dosage for adults": ("Amoxicillin", "dosage"),
        "can i stop taking lexapro cold turkey": ("Escitalopram", "faq"),
        "can I take advil while pregnant": ("Ibuprofen", "precautions"),
    }
    for q, (drug, section) in cases.items():
        p = top(rxhive_engine.ask(q))
        assert (p.drug, p.section) == (drug, section), q
        assert_verbatim(rxhive_engine.ask(q), rxhive_engine.corpus)


# -- intents ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question, section, needle",
    [
        ("what is diazepam used for", "usage", "anxiety disorders"),
        ("diazepam dose", "dosage", "Diazepam dosage varies"),
        ("what are the side effects of diazepam", "side_effects", "Paradoxical reactions"),
        ("will diazepam make me sleepy", "side_effects", "Drowsiness"),
        ("how does diazepam work", "how_it_works", "GABA"),
        ("can I take diazepam while pregnant", "precautions", "pregnancy"),
        ("does diazepam interact with alcohol", "precautions", "alcohol, opioids"),
        ("can I stop diazepam suddenly?", "faq", "Abruptly stopping Diazepam"),
        ("how should I store diazepam", "faq", "room temperature"),
        ("what if I forget to take my imipramine", "faq", "missed dose"),
        ("how long until imipramine starts working", "faq", "several weeks"),
        ("can you get high on diazepam", "faq", "controlled substance"),
    ],
)
def test_intents_route_to_the_section(seed_engine, question, section, needle):
    a = seed_engine.ask(question)
    p = top(a)
    assert p.section == section and needle in p.text, (question, p.section, p.heading)


# -- conversation ---------------------------------------------------------------------------
def test_follow_up_uses_the_medicine_in_focus(seed_engine):
    p = top(seed_engine.ask("what about its side effects?", history=["tell me about imipramine"]))
    assert (p.drug, p.section) == ("Imipramine", "side_effects")


def test_follow_up_with_a_new_medicine_keeps_the_question(seed_engine):
    p = top(seed_engine.ask("and what about diazepam?", history=["how does imipramine work?"]))
    assert (p.drug, p.section) == ("Diazepam", "how_it_works")


def test_follow_up_pronoun(seed_engine):
    p = top(seed_engine.ask("how do I stop it?", history=["what is imipramine used for?"]))
    assert p.drug == "Imipramine" and "stopping Imipramine suddenly" in p.text


def test_explicit_focus_overrides_history(seed_engine):
    p = top(seed_engine.ask("side effects?", history=["what is diazepam used for?"], focus=["Imipramine"]))
    assert p.drug == "Imipramine"


def test_latest_medicine_wins(seed_engine):
    hist = ["what is diazepam used for?", "and imipramine?"]
    assert top(seed_engine.ask("what are the side effects?", history=hist)).drug == "Imipramine"


# -- statuses -----------------------------------------------------------------------------
def test_unknown_drug_names_it_and_has_no_passages(seed_engine):
    a = seed_engine.ask("ibuprofen side effects")
    assert a.status == "unknown_drug" and not a.passages
    assert "Ibuprofen" in a.message and "not among the medicines" in a.message


def test_unknown_brand_shows_generic(seed_engine):
    a = seed_engine.ask("tylenol dosage")
    assert a.status == "unknown_drug" and "acetaminophen" in a.message.lower()


@pytest.mark.parametrize(
    "question",
    [
        "I just took 30 diazepam tablets at once",
        "my kid swallowed some of my diazepam",
        "my 2 year old ate some pills",
        "I think I overdosed on imipramine",
        "I want to kill myself",
        "I'm feeling suicidal",
        "she can't breathe after taking diazepam",
        "I have been cutting myself",
    ],
)
def test_emergency_message_comes_first(seed_engine, question):
    a = seed_engine.ask(question)
    assert a.status == "emergency" and a.message == EMERGENCY_MESSAGE


def test_suicidal_thoughts_as_a_topic_is_not_an_emergency(seed_engine):
    a = seed_engine.ask("imipramine and suicidal thoughts in young adults")
    assert a.status == "answered" and "suicidal" in a.passages[0].text


@pytest.mark.parametrize("question", ["what's the weather like today", "hello", "who won the football"])
def test_no_match_never_pads(seed_engine, question):
    a = seed_engine.ask(question)
    assert a.status == "no_match" and a.message == NO_MATCH_MESSAGE and not a.passages


def test_no_match_for_a_known_medicine_without_an_answer(seed_engine):
    a = seed_engine.ask("how long does valium stay in your system")
    assert a.status in ("no_match", "answered")
    if a.status == "no_match":
        assert not a.passages


@pytest.mark.parametrize("question", ["what are the side effects?", "how much should I take?", "is it safe in pregnancy?"])
def test_clarify_without_a_medicine(seed_engine, question):
    a = seed_engine.ask(question)
    assert a.status == "clarify" and a.message == CLARIFY_MESSAGE and not a.passages


def test_question_without_medicine_but_specific_topic(seed_engine):
    p = top(seed_engine.ask("what is a benzodiazepine used for"))
    assert (p.drug, p.section) == ("Diazepam", "usage")


def test_disclaimer_chunks_are_never_answers(seed_engine):
    a = seed_engine.ask("diazepam medical advice disclaimer consult professional", top_k=20)
    assert all(p.section != "disclaimer" for p in a.passages)


def test_explain_shows_each_stage(seed_engine):
    a = seed_engine.ask("can I take valium while pregnant?", explain=True)
    u = a.explain["understand"]
    assert "pregnanc" in u["tokens"] or "pregnant" in u["tokens"]
    assert u["intent"]["name"] == "precautions" and u["intent"]["source"] == "rules"
    assert u["mentions"][0]["drug"] == "Diazepam" and u["mentions"][0]["how"] == "alias"
    assert u["drugs"] == ["Diazepam"] and u["drugs_from"] == "named"
    assert a.explain["candidates"]["count"] > 0
    first = a.explain["rank"][0]
    assert first["chunk"] >= 0 and first["bm25"] >= 0 and "section_bonus" in first
    assert a.explain["decide"] == {"status": "answered", "drugs": ["Diazepam"]}


# -- the invariant: verbatim + attribution + disclaimer, fixed vocabulary --------------------
QUESTIONS = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(
        ["diazepam", "valium", "imipramine", "side", "effects", "dose", "stop", "pregnant", "what", "is", "how",
         "ibuprofen", "alcohol", "overdose", "store", "it", "?", "and", "weather", "tofranil", "work"]),
        max_size=8).map(" ".join),
)


@settings(max_examples=120, deadline=None)
@given(QUESTIONS, st.lists(QUESTIONS, max_size=2))
def test_every_answer_is_quotes_or_a_fixed_status(seed_engine, question, history):
    a = seed_engine.ask(question, history=history, top_k=5)
    assert a.status in STATUSES
    assert a.disclaimer == DISCLAIMER
    if a.status in ("no_match", "unknown_drug", "clarify"):
        assert not a.passages and a.message
    if a.status == "answered":
        assert a.passages and a.message is None
    assert_verbatim(a)
    for p in a.passages:
        assert p.source and p.start_line <= p.end_line and p.drug and p.section != "disclaimer"
    data = a.to_json()
    assert set(data) == {"id", "question", "status", "drugs", "message", "passages", "disclaimer"}


def test_elliptical_follow_up_keeps_the_question(seed_engine):
    p = top(seed_engine.ask("what about for older people?", history=["what is the dose of diazepam?"]))
    assert (p.drug, p.section) == ("Diazepam", "dosage")


def test_everyday_word_medicine_does_not_steal_the_focus(rxhive_engine):
    a = rxhive_engine.ask("does it interact with alcohol", history=["zoloft side effects"])
    assert a.drugs == ("Sertraline",) and top(a).drug == "Sertraline"
    assert rxhive_engine.ask("can I drink alcohol").drugs == ("Alcohol",)  # nothing else named: it is the topic


def test_question_without_medicine_on_rxhive(rxhive_engine):
    assert rxhive_engine.ask("what's the weather like today").status == "no_match"
    assert rxhive_engine.ask("i missed my birth control pill what do i do").status == "clarify"
    a = rxhive_engine.ask("how do statins work")
    assert a.status == "answered" and all(p.section == "how_it_works" for p in a.passages)


def test_everyday_words_find_the_monographs_words(seed_engine):
    a = seed_engine.ask("can I take valium while pregnant?", explain=True)
    assert "pregnanc" in a.explain["understand"]["tokens"]  # "pregnant" also looks for "pregnancy"
    assert len(a.passages) == 1 and "pregnancy" in a.passages[0].text


def test_faq_question_the_monograph_does_not_answer_is_no_match(seed_engine):
    a = seed_engine.ask("how should i store imipramine")  # only Diazepam's FAQ covers storage
    assert a.status == "no_match" and not a.passages


def test_a_passage_must_share_more_than_the_medicine_name(seed_engine):
    a = seed_engine.ask("what happens if i miss a dose of valium")
    assert [p.section for p in a.passages] == ["dosage"]


def test_comparing_two_medicines_shows_what_each_is(seed_engine):
    a = seed_engine.ask("diazepam vs imipramine")
    assert {(p.drug, p.section) for p in a.passages} == {("Diazepam", "usage"), ("Imipramine", "usage")}


def test_everyday_words_do_not_pull_in_unrelated_faqs(seed_engine):
    a = seed_engine.ask("can i drive after taking diazepam")
    assert [p.section for p in a.passages] == ["precautions"]


def test_passages_outside_the_asked_section_are_not_quoted(seed_engine):
    assert seed_engine.ask("is tofranil habit forming").status == "no_match"  # nothing on dependence for it
    a = seed_engine.ask("how do I take imipramine")
    assert [p.section for p in a.passages] == ["dosage"]


def test_a_follow_up_after_a_class_question_on_the_seed(seed_engine):
    # the seed's page says "Diazepam is a benzodiazepine": "it" after a class question is the class
    a = seed_engine.ask("and is it addictive?", history=["what is a benzodiazepine used for"])
    assert a.status == "answered" and a.passages[0].drug == "Diazepam"


def test_a_glossary_word_counts_for_less_than_the_word_written(seed_engine):
    # "mouth" is "oral" in the monographs, but "taken orally" (dosage) is not "dry mouth"
    a = seed_engine.ask("can imipramine cause dry mouth?")
    assert [p.section for p in a.passages] == ["side_effects"]
    assert "Dry mouth" in a.passages[0].text
