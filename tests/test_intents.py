"""intents.detect: what kind of answer a question wants (pure: no index)."""

import pytest

from rxquote import intents


@pytest.mark.parametrize("question, intent", [
    # stopping the medicine, not an activity or a symptom
    ("can i stop taking it suddenly", "stopping"),
    ("can i stop sertraline cold turkey", "stopping"),
    ("i want to quit, is that ok", "stopping"),
    ("lorazepam withdraw symptoms", "stopping"),
    ("does it really help people quit smoking", "usage"),
    ("will it stop itching", "side_effects"),
    ("my stomach hurts since i started it, will this go away", "side_effects"),
    ("is it normal to feel dizzy when starting it", "side_effects"),
    # left too hot or too cold: storage (a cold the person has is not)
    ("my inhaler was left in a hot car all day", "storage"),
    ("is my medicine still good if it froze", "storage"),
    ("i left the pills out of the fridge all night", "storage"),
    # "ok to use" asks whether, not what it is used for
    ("is it safe to use while pregnant", "precautions"),
    # what the medicine is suspected of doing, or what changed since it began
    ("could the water pill be lowering his potassium", "side_effects"),
    ("i think the metformin is upsetting my stomach", "side_effects"),
    ("is prednisone messing with my blood sugar", "side_effects"),
    ("will sertraline mess with my sex drive", "side_effects"),
    ("since starting sertraline i cant sleep", "side_effects"),
    ("my ankles swelled up after i started amlodipine", "side_effects"),
    ("is one pill enough for a uti", "dosage"),
    ("is 150 mg enough", "dosage"),
    # too much: the overdose FAQs
    ("what happens if i take too much", "overdose"),
    ("can you overdose on it", "overdose"),
    ("is 2 more than the recommended amount", "overdose"),
    ("took 2 advil instead of 1 is that ok", "overdose"),  # more than the dose, by mistake
    ("gave my son an extra dose by accident", "overdose"),
    ("i think i took my pill twice today", "overdose"),
    # the pill's colour is out of scope; the colour of the eyes is not
    ("what colour is the tablet", "out_of_scope"),
    ("what color are these pills", "out_of_scope"),
    ("my refill looks different, is it the same medicine", "out_of_scope"),
    # how long side effects last is about the side effects; how long it takes to work is not
    ("how long do side effects of lexapro last", "side_effects"),
    ("how long does it take for the effect to start", "onset"),
    # what a medicine is: its class
    ("is oxycodone an opiate", "about"),
    ("is xanax a benzo?", "about"),
    ("what class of medication is metoprolol", "about"),
    ("what type of drug is gabapentin", "about"),
])
def test_intent_of_a_question(question, intent):
    got = intents.detect(question)
    assert got is not None and got.name == intent, (question, got and got.name)


@pytest.mark.parametrize("question", ["will it darken the colour of my eyes", "can it change my skin color"])
def test_colour_of_the_body_is_not_out_of_scope(question):
    got = intents.detect(question)
    assert got is None or got.name != "out_of_scope"


def test_overdose_faqs_carry_the_overdose_intent():
    overdose = intents.INTENT_BY_NAME["overdose"]
    for heading in ("What should I do if I suspect an overdose?", "What happens if I take too much?",
                    "Can I overdose on this supplement?"):
        assert overdose.faq_matches(heading), heading
    assert not overdose.faq_matches("How should I store it?")


@pytest.mark.parametrize("question, names, other", [
    ("how long before a meal to stop heartburn", {"pepcid"}, True),
    ("will it stop the itching", set(), True),
    ("can i stop my lisinopril suddenly", {"lisinopril"}, False),  # the medicine's own word
    ("can i stop the medicine now", set(), False),
    ("is it ok to stop taking it", set(), False),
    ("can i stop", set(), False),  # no object: the medicine
    ("what hapens if i stop takin my lisinopril", {"lisinopril"}, False),  # "takin": a slip of "taking"
    ("can i stop smoking", set(), True),
    ("what is it for", set(), False),  # no stop at all
])
def test_what_stop_stops(question, names, other):
    assert intents.stops_something_else(question, names) is other


@pytest.mark.parametrize("question", ["how does diazepam actually work in the body", "what does it do to your body",
                                      "how paracetamol works in the body"])
def test_in_the_body_is_how_a_how_it_works_question_is_put(question):
    intent = intents.detect(question)
    assert intent is not None and intent.name == "how_it_works"
    assert "body" in intent.matched_words(intents.normalize_question(question))  # not a topic word


@pytest.mark.parametrize("question, name", [("wat hapens if i mis a dose", "missed_dose"), ("i missd my pill", "missed_dose"),
                                            ("mised my dose this morning", "missed_dose"),
                                            ("i was dismissed from hospital, can i take it with food", None)])
def test_slips_of_miss_are_a_missed_dose(question, name):
    intent = intents.detect(question)
    assert (intent.name if intent else None) != "missed_dose" if name is None else intent.name == name


@pytest.mark.parametrize("question", ["is it a problem", "is that a side effect", "is this a normal dose for a child"])
def test_is_it_a_is_not_asking_what_a_medicine_is(question):
    got = intents.detect(question)
    assert got is None or got.name != "about"


@pytest.mark.parametrize("question", ["can i take it if i have a cold", "are they still ok to use",
                                      "can i lie in the sun on doxycycline"])
def test_a_cold_the_sun_or_ok_to_use_say_nothing_of_storage_or_uses(question):
    got = intents.detect(question)
    assert got is None or got.name not in ("storage", "usage"), got
