"""What people who use rxquote should see (issue #10), on the real rxhive corpus.

The phrasings are written for these tests (not lines of the dev sets): several medicines and
wordings per behaviour, so that a rule fitted to one question does not pass them. Every test
needs ../shared/corpus/rxhive and is skipped without it; the index is built once per session.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from rxquote.answer import Answer
from rxquote.candidates import for_medicines
from rxquote.corpus import trim_span
from rxquote.decide import NOT_COVERED_MESSAGE

pytestmark = pytest.mark.rxhive


def top(a: Answer):
    assert a.status == "answered", (a.question, a.status, a.message)
    return a.passages[0]


def assert_verbatim(engine, a: Answer):
    for p in a.passages:
        lines = (engine.corpus / p.source).read_text(encoding="utf-8").split("\n")
        assert trim_span("\n".join(lines[p.start_line - 1 : p.end_line])) == p.text


# -- page choice: the medicine's own monograph, not its combination or variant pages ------------
# each of these has combination pages ("Diazepam + Propranolol", "Sertraline + Alprazolam", …)
OWN_PAGE_MEDICINES = ["Diazepam", "Sertraline", "Amlodipine", "Metformin", "Paracetamol", "Ibuprofen", "Losartan",
                      "Atorvastatin", "Omeprazole", "Propranolol"]
QUESTIONS = {
    "what is {} prescribed for?": "usage",
    "what side effects can {} have": "side_effects",
    "how does {} work": "how_it_works",
    "I feel fine now, is it ok to just stop my {}?": None,  # FAQ or precautions; no_match where no page says
}


@pytest.mark.parametrize("medicine", OWN_PAGE_MEDICINES)
def test_a_plain_medicine_is_answered_from_its_own_page(rxhive_engine, medicine):
    for template, section in QUESTIONS.items():
        a = rxhive_engine.ask(template.format(medicine.lower()))
        assert a.drugs == (medicine,), (a.question, a.drugs)
        if section is None and a.status == "no_match":
            continue  # its own page says nothing about stopping: an honest no_match, naming it
        p = top(a)
        assert p.title == medicine, (a.question, p.title, p.source)
        assert all(" + " not in q.title for q in a.passages), (a.question, [q.title for q in a.passages])
        if section:
            assert p.section == section, (a.question, p.section, p.heading)


def test_the_combination_page_when_both_ingredients_are_named(rxhive_engine):
    a = rxhive_engine.ask("can I take diazepam together with propranolol?")
    assert set(a.drugs) == {"Diazepam", "Propranolol"}
    assert any(p.title == "Diazepam + Propranolol" for p in a.passages) or \
        {p.drug for p in a.passages} >= {"Diazepam", "Propranolol"}


def test_variant_pages_come_after_the_plain_page(rxhive_engine):
    a = rxhive_engine.ask("is ibuprofen safe when pregnant", top_k=5)
    assert top(a).title == "Ibuprofen"
    titles = [p.title for p in a.passages]
    assert titles.index("Ibuprofen") < min((i for i, t in enumerate(titles) if t != "Ibuprofen"), default=99)


@pytest.mark.parametrize("medicine", ["Diazepam", "Paracetamol"])
def test_how_it_works_in_the_body(rxhive_engine, medicine):
    p = top(rxhive_engine.ask(f"how does {medicine.lower()} actually work in the body"))
    assert (p.drug, p.section) == (medicine, "how_it_works")


@pytest.mark.parametrize("medicine", ["Ethinylestradiol", "Mequinol", "Atoltivimab"])
def test_a_medicine_described_only_on_combination_pages_is_answered(rxhive_engine, medicine):
    assert rxhive_engine.knows(medicine) and for_medicines(rxhive_engine, (medicine,)).ids.size
    a = rxhive_engine.ask(f"what are the side effects of {medicine.lower()}?")
    p = top(a)
    assert medicine.lower() in p.title.lower() and " + " in p.title


# -- abstention: no_match naming the medicine, with what its monograph does cover -------------
@pytest.mark.parametrize(
    "question, medicine",
    [
        ("how much does a month of lipitor cost me", "Atorvastatin"),
        ("what does a sertraline pill look like", "Sertraline"),
        ("which company makes metformin?", "Metformin"),
        ("is amoxicillin gluten free? i have celiac", "Amoxicillin"),
        ("is losartan covered by insurance", "Losartan"),
        ("what colour are amlodipine tablets", "Amlodipine"),
        ("how do you pronounce metoprolol", "Metoprolol"),
    ],
)
def test_questions_no_monograph_covers_are_no_match_naming_the_medicine(rxhive_engine, question, medicine):
    a = rxhive_engine.ask(question)
    assert a.status == "no_match" and not a.passages, (question, a.status, [p.section for p in a.passages])
    assert a.drugs == (medicine,)
    assert a.message.startswith(NOT_COVERED_MESSAGE.format(names=medicine, sections="")[:-2])  # up to "covers:"
    # the FAQ questions it lists are quoted exactly as the medicine's pages write them
    quoted = re.findall("\u201c(.*?)\u201d", a.message)
    assert quoted and set(quoted) <= faq_headings(rxhive_engine, medicine)


def faq_headings(engine, medicine: str) -> set[str]:
    ids = for_medicines(engine, (medicine,)).ids.tolist()
    return {engine.index.heading_of(i) for i in ids if engine.index.section_of(i) == "faq"}


@pytest.mark.parametrize("medicine", ["Metoprolol", "Atorvastatin"])
def test_no_match_lists_the_own_pages_faq_questions(rxhive_engine, medicine):
    a = rxhive_engine.ask(f"how much does {medicine.lower()} cost")
    assert a.status == "no_match" and a.drugs == (medicine,)
    own = rxhive_engine.faq_questions(medicine, limit=3)
    assert own and all(f"\u201c{q}\u201d" in a.message for q in own), (own, a.message)


def test_price_question_is_no_match(rxhive_engine):
    a = rxhive_engine.ask("what is the price of lipitor")
    assert a.status == "no_match" and a.drugs == ("Atorvastatin",), [(p.section, p.heading) for p in a.passages]


def test_a_question_the_page_answers_is_not_abstained(rxhive_engine):
    a = rxhive_engine.ask("does amlodipine make your ankles swell")
    p = top(a)
    assert p.drug == "Amlodipine" and p.section == "side_effects" and "ankle" in p.text.lower()


# -- typo'd intent words ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question, medicine, section, needle",
    [
        ("metformin side efects", "Metformin", "side_effects", ""),
        ("lisinopril sideefects", "Lisinopril", "side_effects", ""),
        ("can i take ibuprofen while pregnent", "Ibuprofen", "precautions", "pregnan"),
        ("is diazepam adictive", "Diazepam", None, "habit"),
        ("how shoud i stor omeprazole", "Omeprazole", "faq", "store"),
        ("what if i mised a dose of metformin", "Metformin", "faq", "miss"),
        ("how long dose it take for sertraline to wrok", "Sertraline", "faq", "weeks"),
        ("lisinopril dosge for adults", "Lisinopril", "dosage", ""),
        # a misspelling of a word the glossary knows is still corrected ("stomache" → stomach)
        ("can i take ibuprofen on an empty stomache", "Ibuprofen", "dosage", ""),
    ],
)
def test_typos_in_the_words_that_say_what_is_asked(rxhive_engine, question, medicine, section, needle):
    a = rxhive_engine.ask(question)
    p = top(a)
    assert a.drugs == (medicine,) and p.drug == medicine, (question, a.drugs, p.drug)
    if section:
        assert p.section == section, (question, p.section, p.heading)
    assert needle in p.text.lower(), (question, p.text[:200])
    assert_verbatim(rxhive_engine, a)


@pytest.mark.parametrize("question, medicine", [("can i drink alchol with sertraline", "Sertraline"),
                                                ("is it ok to have alchol with metformin", "Metformin")])
def test_misspelt_alcohol_stays_the_topic(rxhive_engine, question, medicine):
    a = rxhive_engine.ask(question)
    assert a.drugs == (medicine,)
    p = top(a)
    assert p.drug == medicine and "alcohol" in p.text.lower()


def test_short_typo_in_a_missed_dose_question(rxhive_engine):
    p = top(rxhive_engine.ask("wat hapens if i mis a dose of metformin"))
    assert p.section == "faq" and "miss" in p.heading.lower()


# -- names as people type them ------------------------------------------------------------------
@pytest.mark.parametrize(
    "question, medicine, section",
    [
        ("what is hydrochloro thiazide used for", "Hydrochlorothiazide", "usage"),
        ("hydro chlorothiazide side effects", "Hydrochlorothiazide", "side_effects"),
        ("amlo dipine side effects", "Amlodipine", "side_effects"),
        ("levo thyroxine dose", "Levothyroxine/ T4", "dosage"),
    ],
)
def test_split_names(rxhive_engine, question, medicine, section):
    a = rxhive_engine.ask(question)
    p = top(a)
    assert a.drugs == (medicine,) and (p.drug, p.section) == (medicine, section), (question, a.drugs, p.section)


@pytest.mark.parametrize(
    "question, medicine",
    [
        ("what is alesse used for", "Ethinyl Estradiol + Levonorgestrel"),  # components in UNII common-name rows
        ("can i take yaz with migraines", "Ethinyl Estradiol + Drospirenone"),  # a three-letter combination brand
        ("can I take vytorin with grapefruit", "Simvastatin + Ezetimibe"),
        ("lithane side effects", "Lithium Carbonate"),  # the FDA's substance is the carbonate: not the citrate
        ("flovent inhaler how many puffs", "Fluticasone (Oral Inhalation)"),  # a route word still picks the route page
    ],
)
def test_fda_brand_names_name_their_page(rxhive_engine, question, medicine):
    a = rxhive_engine.ask(question)
    # a combination's duplicate page (its ingredients in another order) is the same medicine
    assert a.drugs == (medicine,) and top(a).drug in (medicine, *rxhive_engine.duplicates_of(medicine)), (question, a.drugs)


@pytest.mark.parametrize(
    "question, typed",
    [
        ("zorbitrex side effects", "Zorbitrex"),
        ("what is brontaxil used for", "Brontaxil"),
        ("how much quintarolol should I take", "Quintarolol"),
        ("is veltrazepam safe in pregnancy", "Veltrazepam"),
    ],
)
def test_invented_names_are_unknown_and_named(rxhive_engine, question, typed):
    a = rxhive_engine.ask(question)
    assert a.status == "unknown_drug" and a.drugs == () and not a.passages, (question, a.status, a.drugs)
    assert f"\u201c{typed}\u201d" in a.message and "not among the medicines" in a.message


# -- long messages with a story -------------------------------------------------------------------
LONG = [
    ("Hello! Long time listener. My mum is 78 and her GP put her on amlodipine last month for her blood "
     "pressure. She is managing fine but her ankles look puffy in the evenings. Is that a side effect of it? "
     "Thanks in advance", "Amlodipine", "side_effects", "ankle"),
    ("hey. i've had a cough for a week and my doctor gave me amoxicillin. i also take the pill for "
     "contraception. how often do i take the amoxicillin? i keep forgetting what the pharmacist said",
     "Amoxicillin", "dosage", ""),
    ("Subject: question about my tablets\n\nHello,\nI have been on omeprazole for about two years for reflux "
     "and it works well. Is it safe to take it long term? My neighbour says it thins the bones.\nThanks, Mary",
     "Omeprazole", "precautions", "long-term"),
    ("So I started sertraline three weeks ago after a rough year, and honestly I don't feel any different yet. "
     "My sister says it does nothing. How long does it take to start working? I'm getting impatient.",
     "Sertraline", "faq", "weeks"),
]


# a side effect suspected in a story of why the medicine is taken: the story's words ("fluid",
# "heart failure") are the usage section's, the question is the side effects'
SUSPECTED = [
    ("My dad takes furosemide for fluid in his legs from heart failure and now gets bad leg cramps. Could the "
     "water pill be lowering his potassium?", "Furosemide", "potassium"),
    ("i think the metformin is upsetting my stomach", "Metformin", "abdominal"),
    ("could prednisone be raising my blood sugar", "Prednisone", "blood sugar"),
]


@pytest.mark.parametrize("message, medicine, needle", SUSPECTED)
def test_a_suspected_side_effect_is_answered_from_the_side_effects(rxhive_engine, message, medicine, needle):
    a = rxhive_engine.ask(message)
    p = top(a)
    assert p.drug == medicine and p.section == "side_effects", (p.drug, p.section)
    assert needle in p.text.lower()
    assert_verbatim(rxhive_engine, a)


# a route word ("eyes", "ears") picks a page only when the medicine has a page by that route;
# else it is what is asked about
@pytest.mark.parametrize("question, medicine", [("does plaquenil hurt your eyes", "Hydroxychloroquine"),
                                                ("can amiodarone affect your eyes", "Amiodarone")])
def test_a_route_word_the_medicine_has_no_page_for_is_the_topic(rxhive_engine, question, medicine):
    a = rxhive_engine.ask(question)
    p = top(a)
    assert p.drug == medicine and p.section in ("side_effects", "precautions"), (p.drug, p.section)
    assert "eye" in p.text.lower()


def test_a_route_word_still_picks_the_medicines_page_by_that_route(rxhive_engine):
    assert top(rxhive_engine.ask("timolol eye drops side effects")).drug == "Timolol (Ophthalmic)"


# left too cold or too hot, then "is it still ok?": the story says what is asked (storage)
LEFT_OUT = [
    ("I left my ventolin inhaler in the car overnight and it got really cold. Is it still ok to use?", "Salbutamol"),
    ("My latanoprost eye drops sat in a hot car all afternoon. Can I still use them?", "Latanoprost"),
    ("We had a power cut and my son's insulin glargine pens were out of the fridge for a day. Are they still good?",
     "Insulin Glargine"),
]


@pytest.mark.parametrize("message, medicine", LEFT_OUT)
def test_a_medicine_left_in_the_heat_or_cold_is_answered_from_its_storage_faq(rxhive_engine, message, medicine):
    a = rxhive_engine.ask(message)
    p = top(a)
    assert p.drug == medicine and p.section == "faq" and "store" in p.heading.lower(), (p.drug, p.section, p.heading)
    assert_verbatim(rxhive_engine, a)


@pytest.mark.parametrize("message, medicine, section, needle", LONG)
def test_long_message_answers_the_question_asked(rxhive_engine, message, medicine, section, needle):
    a = rxhive_engine.ask(message)
    p = top(a)
    assert a.drugs == (medicine,) and p.drug == medicine, (a.drugs, p.drug)
    assert p.section == section, (p.section, p.heading)
    assert needle in p.text.lower()
    assert_verbatim(rxhive_engine, a)


# -- the FAQ that asks the very question ------------------------------------------------------------
@pytest.mark.parametrize("medicine", ["Sertraline", "Amlodipine", "Metoprolol"])
def test_the_alcohol_faq_comes_first(rxhive_engine, medicine):
    p = top(rxhive_engine.ask(f"can I drink alcohol with {medicine.lower()}?"))
    assert p.section == "faq" and "alcohol" in p.heading.lower()


@pytest.mark.parametrize("question", ["can I drink alcohol with sertraline in the evening",
                                      "is it safe to drink a glass of wine at dinner while on sertraline",
                                      "can I have a beer with my amlodipine after work"])
def test_the_alcohol_faq_comes_first_in_a_longer_question(rxhive_engine, question):
    p = top(rxhive_engine.ask(question))
    assert "alcohol" in p.text.lower(), (p.section, p.heading, p.text[:120])


# -- words the monographs write in another form -------------------------------------------------
def test_a_word_the_page_writes_in_another_form_is_found_and_quoted(rxhive_engine):
    # "genes" → the page's "genetic" (stemmed "gene" vs "genet"): answered, focused on that line
    a = rxhive_engine.ask("could my genes make clopidogrel work less well")
    assert a.status == "answered" and a.drugs == ("Clopidogrel",)
    assert "genetic" in a.passages[0].text.lower(), (a.passages[0].section, a.passages[0].text[:120])
    assert_verbatim(rxhive_engine, a)


def test_a_passage_saying_the_opposite_of_the_word_is_about_it(rxhive_engine):
    # "fertility" is on the page, but the answer says "does not cause infertility"
    p = top(rxhive_engine.ask("will levonorgestrel affect my fertility in the future"))
    assert "infertility" in p.text.lower(), (p.section, p.text[:120])


def test_touching_is_contact(rxhive_engine):
    a = rxhive_engine.ask("is it dangerous for a pregnant woman to touch dutasteride capsules")
    assert a.status == "answered" and re.search(r"contact|handle", a.passages[0].text, re.I), a.passages[0].text[:160]


def test_a_meal_is_food(rxhive_engine):
    p = top(rxhive_engine.ask("can I take levothyroxine with breakfast"))
    assert p.section in ("faq", "dosage") and "empty stomach" in p.text.lower(), (p.section, p.text[:120])


def test_colour_of_the_eyes_is_not_the_pills_colour(rxhive_engine):
    a = rxhive_engine.ask("will latanoprost darken the colour of my eyes")
    assert a.status == "answered" and "pigment" in a.passages[0].text.lower()
    for question in ("what colour is the amlodipine tablet", "what color are xanax pills"):
        assert rxhive_engine.ask(question).status == "no_match", question


@pytest.mark.parametrize("medicine", ["Pseudoephedrine", "Dextromethorphan"])
def test_the_faq_that_is_the_very_question_comes_first(rxhive_engine, medicine):
    p = top(rxhive_engine.ask(f"how long can I take {medicine.lower()}"))
    assert p.section == "faq" and p.heading == f"How long can I take {medicine.lower()}?", (p.section, p.heading)


def test_a_salt_word_standing_alone_is_what_is_asked(rxhive_engine):
    # "potassium" is a salt word ("diclofenac potassium"), but alone it is the topic
    a = rxhive_engine.ask("could furosemide be lowering my potassium")
    assert a.drugs == ("Furosemide",) and "potassium" in a.passages[0].text.lower()


def test_everyday_words_are_not_spell_corrected_and_the_intents_words_focus_the_quote(rxhive_engine):
    a = rxhive_engine.ask("is the drinking going to be a problem with my atorvastatin meds", explain=True)
    assert a.explain["understand"]["corrected"] == {}
    assert a.status == "answered" and "alcohol" in a.passages[0].text.lower(), a.passages[0].text[:200]


@pytest.mark.parametrize("effect", ["headaches", "weight gain"])
def test_a_word_on_every_passage_of_the_page_does_not_pick_the_passage(rxhive_engine, effect):
    # "implant" is in most of the etonogestrel page's FAQ questions: the side effects answer
    p = top(rxhive_engine.ask(f"can the etonogestrel implant cause {effect}"))
    assert p.section == "side_effects", (p.section, p.heading)


@pytest.mark.parametrize("question, medicine", [
    ("what happens if you take too much xylitol", "Xylitol"),
    ("is it possible to overdose on magnesium hydroxide", "Magnesium Hydroxide"),
    ("can you take too much brompheniramine", "Brompheniramine"),
])
def test_too_much_is_answered_by_the_pages_overdose_faq(rxhive_engine, question, medicine):
    a = rxhive_engine.ask(question)
    assert a.status == "answered" and a.drugs == (medicine,)
    p = a.passages[0]
    assert p.section == "faq" and re.search(r"too much|overdos", p.heading, re.I), (p.section, p.heading)


def test_too_much_said_as_having_happened_is_still_an_emergency(rxhive_engine):
    assert rxhive_engine.ask("i took too much tylenol").status == "emergency"


@pytest.mark.parametrize("question", ["is grapefruit juice ok with my statin?",
                                      "can I have a glass of wine with my antidepressant"])
def test_their_medicine_named_only_by_its_class_asks_which(rxhive_engine, question):
    # an everyday word that is also a page ("alcohol", "grapefruit") is not the medicine asked about
    a = rxhive_engine.ask(question)
    assert a.status == "clarify" and a.drugs == () and not a.passages, (a.status, a.drugs)


def test_their_class_with_the_medicine_known_from_the_conversation(rxhive_engine):
    a = rxhive_engine.ask("can I drink alcohol with my antibiotic?", history=["what is amoxicillin used for?"])
    assert a.status == "answered" and a.drugs == ("Amoxicillin",)
    # the conversation's medicine is not one: which antibiotic?
    a = rxhive_engine.ask("can I drink alcohol with my antibiotic?", history=["what is atorvastatin used for?"])
    assert a.status == "clarify" and a.drugs == ()


def test_their_class_picks_that_medicine_from_their_list(rxhive_engine):
    a = rxhive_engine.ask("is grapefruit ok with my statin?", medicines=["Warfarin", "Atorvastatin"])
    assert a.status == "answered" and a.drugs == ("Atorvastatin",)


@pytest.mark.parametrize("message, medicine, needle", [
    ("Subject: metformin question\n\nHi there, I hope you can help. My GP started me on metformin 500mg last "
     "month. I've been having a lot of stomach upset and diarrhea since. Is this normal and will it go away? "
     "Thanks so much, Linda", "Metformin", "diarrhea"),
    ("Hello! My husband (62) has been on lisinopril for years for blood pressure. Recently he developed a dry "
     "cough that won't go away. Could the lisinopril be causing it? Any advice appreciated.", "Lisinopril", "cough"),
])
def test_a_question_pointing_back_at_the_story_is_answered_about_what_it_points_at(rxhive_engine, message,
                                                                                     medicine, needle):
    a = rxhive_engine.ask(message)
    assert a.status == "answered" and a.drugs == (medicine,)
    assert needle in a.passages[0].text.lower(), (a.passages[0].section, a.passages[0].text[:200])


# -- the person's own medicines ------------------------------------------------------------------
def test_which_of_my_medicines_can_cause_dizziness(rxhive_engine):
    a = rxhive_engine.ask("which of my medicines can cause dizziness?", medicines=["Sertraline", "Metoprolol"])
    assert a.status == "answered" and set(a.drugs) == {"Sertraline", "Metoprolol"}
    by_drug = {p.drug: p for p in a.passages}
    assert set(by_drug) >= {"Sertraline", "Metoprolol"}
    for p in by_drug.values():
        assert "dizz" in p.text.lower(), (p.drug, p.section, p.text[:200])
    assert_verbatim(rxhive_engine, a)


def test_my_medicines_through_the_command_line(rxhive_engine):
    index_dir = rxhive_engine.index.folder.parent  # the session's index: no second build
    cmd = [sys.executable, "-m", "rxquote", "ask", "--json", "--corpus", str(rxhive_engine.corpus),
           "--index", str(index_dir), "--medicines", "Sertraline, Metoprolol",
           "which of my medicines can cause dizziness?"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["status"] == "answered" and set(data["drugs"]) == {"Sertraline", "Metoprolol"}
    assert {p["drug"] for p in data["passages"]} >= {"Sertraline", "Metoprolol"}
    assert all("dizz" in p["text"].lower() for p in data["passages"])


# -- which named medicine is asked about: a condition, an allergy, a food is a topic ---------------
@pytest.mark.parametrize("question, medicine", [
    ("does clotrimazole cream help a yeast infection", "Clotrimazole"),  # Yeast has a page: here it is the infection
    ("metformin and thyroid problems", "Metformin"),  # Thyroid desiccated: here the gland
    ("can I take ibuprofen if I'm allergic to aspirin", "Ibuprofen"),  # an allergy: what the person cannot take
    ("naproxen with an aspirin allergy ok?", "Naproxen"),
    ("grapefruit juice and atorvastatin", "Atorvastatin"),
])
def test_a_condition_allergy_or_food_named_beside_a_medicine_is_a_topic(rxhive_engine, question, medicine):
    a = rxhive_engine.ask(question)
    assert a.drugs and all(d.startswith(medicine) for d in a.drugs), (question, a.drugs)
    # answered from the medicine's pages, or an honest no_match naming it (its page may not say)
    assert all(p.title.startswith(medicine) for p in a.passages), [p.title for p in a.passages]


def test_an_allergy_in_a_follow_up_keeps_the_conversations_medicine(rxhive_engine):
    a = rxhive_engine.ask("what if I have a penicillin allergy?", history=["what is cephalexin used for?"])
    assert a.drugs == ("Cefalexin",) and top(a).title == "Cefalexin"


@pytest.mark.parametrize("question, page", [("what is yeast used for", "Yeast"), ("is alcohol bad for you", "Alcohol"),
                                            ("penicillin side effects", "Penicillin")])
def test_a_condition_like_page_named_alone_is_still_answered(rxhive_engine, question, page):
    assert top(rxhive_engine.ask(question)).title == page


@pytest.mark.parametrize("question", ["is it safe to drink alcohol with my antibiotic?",
                                      "can I drink alcohol with my blood pressure pills?"])
def test_an_everyday_word_beside_an_unnamed_medicine_asks_which(rxhive_engine, question):
    assert rxhive_engine.ask(question).status == "clarify"


# -- two medicines: the one asked about first; a combination only when named as one ---------------
@pytest.mark.parametrize("question, first", [
    ("is zoloft with ibuprofen ok", "Sertraline"),
    ("can I take tramadol with my sertraline", "Tramadol"),
    ("lipitor with aspirin safe?", "Atorvastatin"),  # Atorvastatin + Aspirin exists: named apart, not it
    # a story: the medicine named last before the question, when the question names none
    ("I have been on metoprolol for years. My new doctor started me on amlodipine last week. "
     "Can it make my ankles swell?", "Amlodipine"),
])
def test_two_medicines_named_apart_the_asked_ones_page_first(rxhive_engine, question, first):
    a = rxhive_engine.ask(question)
    assert a.drugs[0] == first and top(a).title == first, (a.drugs, [p.title for p in a.passages])


def test_two_ingredients_named_as_one_give_their_combination(rxhive_engine):
    a = rxhive_engine.ask("paracetamol and codeine")
    assert top(a).title == "Paracetamol + Codeine"


# -- names as people type them: word order, letters of a combination's ingredients, vitamin codes ----
@pytest.mark.parametrize("question, title", [
    ("missed a levonorgestrel ethinyl estradiol tablet", "Ethinyl Estradiol + Levonorgestrel"),
    ("codeine paracetamol dose", "Paracetamol + Codeine"),
])
def test_a_combinations_ingredients_in_another_order(rxhive_engine, question, title):
    assert top(rxhive_engine.ask(question)).title == title


@pytest.mark.parametrize("question", ["smx tmp dose for a bladder infection", "is tmp smx safe in pregnancy"])
def test_letters_of_a_combinations_ingredients(rxhive_engine, question):
    a = rxhive_engine.ask(question)
    assert a.drugs == ("Sulfamethoxazole + Trimethoprim",) and top(a).title == "Sulfamethoxazole + Trimethoprim"


@pytest.mark.parametrize("question, medicine", [("how long do b12 injections take to work", "Cyanocobalamin"),
                                                ("should i take d3 with food", "Cholecalciferol")])
def test_a_vitamin_by_its_letter(rxhive_engine, question, medicine):
    assert top(rxhive_engine.ask(question)).title.startswith(medicine)


@pytest.mark.parametrize("question, title", [
    ("is the whooping cough vaccine safe in pregnancy", "Diphtheria Toxoid + Tetanus Toxoid + Pertussis Vaccine (Tdap)"),
    ("does the flu jab have side effects", "Inactivated influenza vaccine"),
    ("tetanus shot side effects", "Tetanus Toxoid"),
])
def test_a_disease_shot_is_its_vaccine(rxhive_engine, question, title):
    a = rxhive_engine.ask(question)
    assert a.drugs[0] == title and top(a).title == title


def test_a_vaccine_named_by_its_own_name_stays_itself(rxhive_engine):
    a = rxhive_engine.ask("What are the side effects of Pneumococcal Polysaccharide Vaccine?")
    assert top(a).title == "Pneumococcal Polysaccharide Vaccine"


@pytest.mark.parametrize("question", ["can i take allopurinol with azathioprine", "is azathioprine ok with allopurinol",
                                      "allopurinol and azathioprine together?"])
def test_two_medicines_the_passage_of_one_that_names_the_other_first(rxhive_engine, question):
    # allopurinol's precautions name azathioprine: that line answers "can I take them together?"
    a = rxhive_engine.ask(question)
    p = top(a)
    other = ({"Allopurinol", "Azathioprine"} - {p.drug}).pop()
    assert other.lower() in p.text.lower(), (question, p.drug, p.text[:120])


@pytest.mark.parametrize(
    "question, page_says",
    [
        ("can statins cause muscle pain", "statin"),  # the pages of the class, by its own name
        ("I took the morning after pill two hours ago and threw up. Do I need another one?", "levonorgestrel"),  # by MeSH's synonyms
        ("do ssris cause weight gain", ""),
        ("is it ok to drink on antibiotics", ""),  # a dummy "it" does not ask which medicine
        ("an ssri and weight gain", ""),  # the singular of the lexicon's "ssris"
        # abbreviations the monographs spell out ("monoamine oxidase inhibitors (MAOIs)")
        ("what foods to avoid with MAOIs", ""),
        ("can i take a ppi long term", "prazole"),
        ("are tcas addictive", ""),
        # everyday names the monographs gloss ("anticoagulants (blood thinners)"), or that enough
        # pages say they are ("metoprolol is a beta-blocker")
        ("do blood thinners cause bruising", ""),
        ("do beta blockers slow your heart", "olol"),
    ],
)
def test_a_drug_class_is_answered_from_its_medicines_pages(rxhive_engine, question, page_says):
    a = rxhive_engine.ask(question)
    assert a.status == "answered", a.status
    # every quoted page says, in its overview or usage, that it is of the class
    pages = {rxhive_engine.index.source_of(c) for c, _ in rxhive_engine.class_pages(rxhive_engine.classes_named(question)[0])}
    assert {p.source for p in a.passages} <= pages
    assert page_says in top(a).source


def test_an_abbreviation_is_a_class_only_when_the_monographs_spell_it_out_as_one(rxhive_engine):
    assert rxhive_engine.classes_named("what foods to avoid with MAOIs") == ["maois"]
    assert rxhive_engine.class_synonyms("maois")[0] == "monoamine oxidase inhibitors"
    assert rxhive_engine.classes_named("uti and cranberry") == []  # spelt out as an infection, not a class
    assert rxhive_engine.class_synonyms("blood thinners")[0] == "anticoagulants"  # glossed
    assert rxhive_engine.classes_named("what helps with headaches") == []  # a plural, but no class
    assert rxhive_engine.classes_named("do water pills make you pee more") != ["more"]  # a MeSH entry, a stopword
    assert rxhive_engine.classes_named("is it safe?") == []


def test_a_class_name_is_not_what_is_asked(rxhive_engine):
    # every page of the class says "statin": the words that tell its passages apart are the others
    a = rxhive_engine.ask("can statins cause memory loss")
    assert a.status == "answered" and ("memory" in top(a).text.lower() or top(a).section == "side_effects")
    assert "muscle" not in top(a).heading.lower()  # not the class FAQ on another symptom


def test_a_class_named_with_my_or_it_still_asks_which_medicine(rxhive_engine):
    assert rxhive_engine.ask("is alcohol ok with my antibiotic?").status == "clarify"
    assert rxhive_engine.ask("is it safe with statins").status == "clarify"



def test_where_the_corpus_writes_a_word_says_which_section_it_asks_for(rxhive_engine):
    from rxquote.understand import section_prior

    stems = rxhive_engine.index.analyzer.tokens
    assert section_prior(rxhive_engine, stems("grapefruit"))[0] == "precautions"
    assert section_prior(rxhive_engine, stems("mood swings"))[0] == "side_effects"
    assert section_prior(rxhive_engine, stems("country manufactured")) is None  # the words disagree
    assert section_prior(rxhive_engine, stems("zorblat")) is None  # in no passage


def test_a_question_no_rule_reads_is_answered_from_the_section_its_words_belong_to(rxhive_engine):
    # the page never says "mood swings"; its side effects say "irritability, behavioral changes"
    a = rxhive_engine.ask("keppra mood swings")
    assert a.status == "answered" and top(a).drug == "Levetiracetam" and top(a).section == "side_effects"
    explain = rxhive_engine.ask("keppra mood swings", explain=True).explain
    assert explain["understand"]["intent"]["source"] == "corpus"
    # ... but words that point nowhere in particular still get an honest no_match
    assert rxhive_engine.ask("which country is sertraline manufactured in").status == "no_match"


def test_a_class_question_with_a_list_or_a_conversation_means_their_medicines_of_that_class(rxhive_engine):
    ask = rxhive_engine.ask
    # of the person's medicines, the one of the class; none of the class → the class's pages
    assert ask("can statins cause memory loss", medicines=["Atorvastatin", "Diazepam"]).drugs == ("Atorvastatin",)
    a = ask("can statins cause memory loss", medicines=["Diazepam"])
    assert a.drugs == () and a.status == "answered" and all("diazepam" not in p.source for p in a.passages)
    assert ask("are benzodiazepines addictive", history=["diazepam side effects"]).drugs == ("Diazepam",)
    assert ask("are benzodiazepines addictive", history=["ibuprofen dosage"]).drugs == ()


def test_a_page_that_cannot_answer_gets_no_match_not_an_unrelated_faq(rxhive_engine):
    # tamsulosin's page says nothing on how soon it works: no FAQ that merely shares "take"
    a = rxhive_engine.ask("how long does it take for flomax to work")
    assert a.status == "no_match" and a.drugs == ("Tamsulosin",)


def test_an_everyday_word_medicine_yields_to_a_drug_class(rxhive_engine):
    # "alcohol" is the topic when a class is asked about, and the medicine when nothing else is
    a = rxhive_engine.ask("can you drink alcohol while taking antibiotics")
    assert a.drugs == () and a.status == "answered" and "alcohol" not in top(a).source
    assert rxhive_engine.ask("can I drink alcohol").drugs == ("Alcohol",)


def test_a_follow_up_after_a_class_question_is_about_the_class(rxhive_engine):
    ask = rxhive_engine.ask
    statin_pages = {rxhive_engine.index.source_of(c) for c, _ in rxhive_engine.class_pages("statins")}
    for follow_up in ("do they cause memory loss?", "is it safe with alcohol"):
        a = ask(follow_up, history=["what are statins used for"])
        assert a.status == "answered" and a.drugs == () and top(a).source in statin_pages, (follow_up, a.status)
    # a medicine named since is what "it" is; a class never asked about is not carried
    assert ask("does it cause memory loss?", history=["what are statins used for", "tell me about ibuprofen"]).drugs == ("Ibuprofen",)
    assert ask("is it safe with statins").status == "clarify"


@pytest.mark.parametrize("question, page", [("is oxycodone an opiate", "o/oxycodone.md"),
                                            ("what class of medication is metoprolol", "m/metoprolol.md"),
                                            ("is lisinopril a beta blocker", "l/lisinopril.md")])
def test_what_kind_of_medicine_it_is_is_answered_where_its_page_says_what_it_is(rxhive_engine, question, page):
    a = rxhive_engine.ask(question)
    assert a.status == "answered" and top(a).source == page
    assert top(a).section in ("usage", "how_it_works", "overview")
    assert " is a" in top(a).text or " is an" in top(a).text or "type of" in top(a).text


def test_a_second_medicine_offered_instead_is_asked_about_alone(rxhive_engine):
    # "what about ibuprofen?" asks the same of ibuprofen, not about taking the two together: a
    # passage of one that names the other is no better for it than its pregnancy precautions
    a = rxhive_engine.ask("I am 34 weeks pregnant and have a bad headache. Can I take Tylenol? What about ibuprofen?")
    assert a.status == "answered" and {"Paracetamol", "Ibuprofen"} <= set(a.drugs)
    assert [p.section for p in a.passages[:2]] == ["precautions", "precautions"]
    assert "pregnan" in a.passages[0].text.lower()
    # taken together, the passage that names the other still comes first
    b = rxhive_engine.ask("can I take allopurinol with azathioprine?")
    assert "azathioprine" in top(b).text.lower()


@pytest.mark.parametrize("question, page, says", [
    ("does otezla help mouth ulcers", "a/apremilast.md", "oral ulcers"),  # "mouth" is "oral" in the monographs
    ("flovent gave me white patches in my mouth", "f/fluticasone-propionate.md", "oral thrush"),
])
def test_everyday_words_find_the_monographs_words(rxhive_engine, question, page, says):
    a = rxhive_engine.ask(question)
    assert a.status == "answered" and top(a).source == page and says in top(a).text.lower()


def test_one_name_that_two_pages_have_is_not_two_medicines_taken_together(rxhive_engine):
    """"niacin" names Nicotinic acid and Niacin (Vitamin B3): one medicine written once, so not
    the interactions question that two medicines named apart are."""
    from rxquote.understand import understand

    u = understand(rxhive_engine, "my face is red and hot after niacin")
    assert len(u.named) == 2 and u.intent.source != "two medicines"
    assert top(rxhive_engine.ask("my face is red and hot after niacin")).section == "side_effects"
    u = understand(rxhive_engine, "can i take sertraline with tramadol")
    assert u.intent.name == "precautions"


def test_a_passage_with_the_topic_only_in_the_glossarys_words_is_not_an_answer_off_its_section(rxhive_engine):
    """"addicting" is glossed as "depend": duloxetine's dosage text "depending on the condition"
    is no answer to whether it is addictive (the page never says); a page that says it is."""
    a = rxhive_engine.ask("is cymbalta addicting")
    assert a.status == "no_match" and a.drugs == ("Duloxetine",)
    assert top(rxhive_engine.ask("is tramadol addicting")).drug == "Tramadol"
