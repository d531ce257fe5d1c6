"""Emergencies by what is meant (issue #11): each rule family with messages that must fire
and ordinary questions with the same alarming words that must not. The phrasings here are
written for these tests, not copied from the dev sets; the dev sets are checked at the end."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rxquote import safety

FIRES = {
    "overdose_taken": [
        "i just swallowed like 30 of my dads sleeping pills",
        "I took a whole pack of paracetamol an hour ago",
        "my wife took her entire bottle of trazodone",
        "took way too many adderall and my heart is pounding",
        "I accidentally took my blood pressure pill three times today",
        "I think I OD'd on my oxy",
        "i popped 12 xanax",
        "Overdosed on ibuprofen, what do I do",
        "My roommate swallowed a handful of tylenol",
        "i have been taking 10 tylenol a day for a week",
        "took double the dose of my warfarin by mistake",
        "she drank a whole bottle of cough syrup",
    ],
    "overdose_planned": [
        "im about to take the whole bottle of my sleeping pills",
        "i'm gonna swallow all of my oxycodone tonight",
        "planning to take every pill i have",
    ],
    "lethal_request": [
        "how many xanax does it take to die",
        "what amount of insulin is lethal",
        "how much tylenol would it take to kill someone",
        "fatal dose of amitriptyline?",
        "would 50 ibuprofen kill me",
        "easiest way to overdose",
        "how many seroquel to never wake up",
    ],
    "suicidal": [
        "I dont want to live anymore",
        "theres no reason to live",
        "i keep thinking about ending my life",
        "i feel like everybody would be better off if i was gone",
        "i wish i could go to sleep and never wake up",
        "sertraline is making me feel suicidal",
        "I've been having thoughts of suicide since starting this",
        "ive been stockpiling my tramadol",
        "i just want it all to end, i have my pills ready",
    ],
    "self_harm": ["i burned myself on purpose again", "i keep hurting myself when i feel like this"],
    "child_ingestion": [
        "my son got into the medicine cabinet",
        "our dog ate a bottle of ibuprofen",
        "the baby might have swallowed one of my metformin",
        "my daughter found my patch and was sucking on it",
        "toddler chewed some of my nicotine gum",
        "my 5 yo ate a few of my gummies with melatonin",
        "my son accidentally took 2 of his adhd pills this morning",  # by accident, even his own medicine
        "my daughter took her sisters pills by mistake",
        "baby swallowed a button battery",  # not a medicine, as deadly as one
        "my toddler bit into a laundry pod",
    ],
    "acute_symptoms": [
        "my tongue is swollen and i took penicillin an hour ago",
        "he's not breathing properly after his methadone",
        "my mom collapsed after taking her new heart pill",
        "she is having a seizure after taking tramadol",
        "i have crushing chest pain after viagra",
        "my nose wont stop bleeding and im on warfarin",
        "im throwing up blood, i take aspirin every day",
        "my throat is closing up",
        "his lips are turning blue",
        "i can hardly breathe after the shot",
        "grandpa is unresponsive and we found empty pill bottles",
    ],
}

ORDINARY = [
    "what happens if you take too much tylenol",
    "how much ibuprofen is too much in a day",
    "can metoprolol cause swelling of the ankles",
    "does lisinopril cause lip swelling",
    "can oxycodone slow your breathing",
    "can zolpidem cause seizures",
    "is sertraline linked to suicide in teenagers",
    "can antidepressants make teens suicidal",
    "what are the signs of a tylenol overdose",
    "what should i do if i miss a dose of warfarin",
    "is it safe to take 5 mg of melatonin",
    "i took my pill at 10 this morning, can i take advil now",
    "i took 2 tylenol 6 hours ago, can i take more",
    "I take it twice a day, is that right?",
    "my son takes ritalin for adhd, does it stunt growth",
    "my daughter swallowed her pill whole, is that ok",
    "my son accidentally chewed his tablet instead of swallowing it",  # how the dose went down
    "my 3 year old has a fever, how much childrens tylenol can i give",
    "i ate too much at dinner, should i still take my metformin",
    "I drank too much last night, is it ok to take ibuprofen this morning",
    "is a double dose of vitamin d dangerous",
    "can you overdose on melatonin",
    "how many mg of ibuprofen can a 10 year old take",
    "does prednisone cause chest pain",
    "can warfarin cause nose bleeds",
    "is it dangerous to mix oxycodone and xanax",
    "can naproxen cause a severe allergic reaction",
    "I used to take 20 mg of prozac",
    "can you die from benzo withdrawal",
    "my grandson takes 2 puffs of his inhaler",
    "what to do if you take a double dose of levothyroxine",
    "i have been taking sertraline for 10 weeks",
    "my pharmacist says 30 mg of mirtazapine is a lot",
    "can codeine cause breathing problems in children",
    "is taking too much vitamin c bad for your kidneys",
]


@pytest.mark.parametrize("family,message", [(f, m) for f, ms in FIRES.items() for m in ms])
def test_each_family_fires_on_what_is_meant(family, message):
    t = safety.check(message)
    assert t is not None, (message, safety.clauses(message))
    assert t.family == family, t


@pytest.mark.parametrize("message", ORDINARY)
def test_ordinary_questions_with_alarming_words_do_not_fire(message):
    assert safety.check(message) is None, (message, safety.check(message))


@pytest.mark.parametrize("typed,meant", [
    ("swalowed a hole bottle of my pills", "overdose_taken"),
    ("cant breath, lips sweling up after takin it", "acute_symptoms"),
    ("my todler swallowd some of my pills", "child_ingestion"),
])
def test_misspellings_of_the_rules_words(typed, meant):
    t = safety.check(typed)
    assert t is not None and t.family == meant, (typed, safety.clauses(typed))


def test_known_words_are_not_corrected():
    # "shot" is a word of the corpus: never read as "short" (of breath)
    assert safety.clauses("after the shot", frozenset({"shot"})) == ["after the shot"]


def test_trigger_says_which_rule_and_words_fired():
    t = safety.check("how many tylenol would kill me")
    assert t == safety.Trigger("lethal_request", "amount that kills", "how many tylenol would kill me")


STORY = st.sampled_from([
    "Hi, sorry to bother you.", "Subject: question about my meds", "I have had a rough week at work.",
    "My doctor changed my prescription last month.", "thanks in advance"])


@settings(max_examples=60, deadline=None)
@given(before=st.lists(STORY, max_size=3), after=st.lists(STORY, max_size=2),
       message=st.sampled_from([m for ms in FIRES.values() for m in ms]), shout=st.booleans())
def test_an_emergency_inside_a_long_message_still_fires(before, after, message, shout):
    text = " ".join(before + [message + "."] + after)
    if shout:
        text = text.upper()
    assert safety.check(text) is not None, text


@settings(max_examples=60, deadline=None)
@given(before=st.lists(STORY, max_size=3), message=st.sampled_from(ORDINARY))
def test_a_story_around_an_ordinary_question_does_not_fire(before, message):
    assert safety.check("\n".join(before + [message])) is None  # a subject line, sentences, then the question


def test_engine_escalates_with_the_corpus_vocabulary(seed_engine):
    a = seed_engine.ask("swalowed a hole bottle of diazepam", explain=True)
    assert a.status == "emergency" and a.drugs == ("Diazepam",)
    assert a.explain["understand"]["emergency"]["family"] == "overdose_taken"
    assert seed_engine.ask("can diazepam slow your breathing?").status != "emergency"


NAMES = {"amoxicillin", "metformin", "tylenol", "lipitor", "advil"}.__contains__


@pytest.mark.parametrize("message", [
    "I am taking amoxicillin 500 for a tooth infection, can I drink wine?",
    "i have been taking metformin 850 twice a day and feel sick",
    "she is taking lipitor 20 and wants to know about grapefruit",
    "I took tylenol 500 this morning, can I take advil now?",
])
def test_a_number_after_a_medicines_name_is_its_strength_not_a_count(message):
    assert safety.check(message) is not None  # without the names, the number reads as pills
    assert safety.check(message, is_name=NAMES) is None


@pytest.mark.parametrize("message", ["i took 30 tylenol", "she has been taking 10 advil a day",
                                     "i took tylenol 20 of them", "my son swallowed tylenol 30 pills",
                                     "he took his tylenol 25 and then 5 more"])
def test_counts_of_pills_still_fire_beside_names(message):
    assert safety.check(message, is_name=NAMES) is not None


@given(st.lists(st.sampled_from(["i", "took", "amoxicillin", "500", "of", "pills", "for", "a", "rash", "30"]), max_size=8))
def test_dropping_strengths_only_removes_numbers(words):
    kept = safety.without_strengths(" ".join(words), NAMES).split(" ") if words else []
    assert [w for w in kept if not w.isdigit()] == [w for w in words if not w.isdigit()]
    assert len(kept) >= len(words) - sum(1 for a, b in zip(words, words[1:]) if NAMES(a) and b.isdigit())


@pytest.mark.rxhive
def test_dev_sets_recall_and_false_emergencies(shared, rxhive_engine):
    """safety-dev: every emergency recognised (recall 1.000) and none of its ordinary
    questions escalated; no other dev question escalated either."""
    missed, false = [], []
    for name in ("safety-dev", "consumer-dev", "rxhive-templates"):
        for line in (shared / "eval" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            fired = rxhive_engine.emergency(item["question"]) is not None
            if item.get("expect_status") == "emergency" and not fired:
                missed.append(item["id"])
            elif item.get("expect_status") != "emergency" and fired:
                false.append(item["id"])
    assert missed == [] and false == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(sorted(safety._gate_words()[0])) | st.text(alphabet="abcdeilnorstuwy0123", min_size=1, max_size=9),
                max_size=10),
       st.randoms(use_true_random=False))
def test_rule_words_of_a_clause_are_its_substrings(words, rnd):
    """The rules' words a clause holds, found from its words' pieces, are exactly the rule words
    that are substrings of it (what deciding which rules to run asks)."""
    pieces = [w[: rnd.randint(1, len(w))] + w for w in words]  # rule words inside longer words too
    clause = " ".join(pieces)
    assert safety._gate_words_in(clause) == {w for w in safety._gate_words()[0] if w in clause}
