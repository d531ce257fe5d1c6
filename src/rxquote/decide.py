"""Stage 4 of answering: the status, and the fixed message that goes with it.

Messages are fixed, reviewed strings; the only things filled in are names as the person typed
them or as the corpus writes them, and FAQ questions quoted as the monograph writes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .corpus import SECTION_LABELS

DISCLAIMER = (
    "rxquote quotes drug monographs word for word and does not give medical advice. "
    "The passages may not fit your situation: ask a doctor or pharmacist before you start, "
    "stop or change any medicine."
)
EMERGENCY_MESSAGE = (
    "This may be an emergency. Call your local emergency number (911 in the US, 999 in the UK, "
    "112 in the EU) or a poison control centre now (US: 1-800-222-1222). If someone has taken too "
    "much of a medicine, do not wait for symptoms. If you are thinking about suicide or harming "
    "yourself, call or text a crisis line now (US: 988) or go to the nearest emergency department."
)
NO_MATCH_MESSAGE = (
    "I could not find a passage in the monographs that answers this. Try naming the medicine and "
    "what you want to know: uses, dosage, side effects, how it works, precautions."
)
NOT_COVERED_MESSAGE = "The monograph of {names} does not cover this. It covers: {sections}."
NOT_COVERED_FAQS = " Its questions and answers include: {questions}."
CLARIFY_MESSAGE = (
    "Which medicine do you mean? Name it in your question, for example: "
    "\"what are the side effects of diazepam?\""
)
UNKNOWN_DRUG_MESSAGE = "{names} {verb} not among the medicines in these monographs."
UNKNOWN_SUGGEST = " Closest indexed names: {names}."
SHORTENED_NOTE = " (Only the first {chars} characters of the question were read.)"


@dataclass(frozen=True)
class Decision:
    status: str
    message: str | None
    chosen: tuple = ()  # Scored passages to quote, best first


def join(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def dedupe(items) -> list:
    out = []
    for x in items:
        if x not in out:
            out.append(x)
    return out


def not_covered(names, sections, faq_questions) -> str:
    """no_match for a medicine that was understood: what its monograph does cover."""
    labels = [SECTION_LABELS[s].lower() for s in ("usage", "dosage", "side_effects", "how_it_works", "precautions")
              if s in sections]
    msg = NOT_COVERED_MESSAGE.format(names=join(names), sections=", ".join(labels) or "an overview")
    if faq_questions:
        msg += NOT_COVERED_FAQS.format(questions="; ".join(f"\u201c{q}\u201d" for q in faq_questions))
    return msg


def unknown_message(display_names, closest) -> str:
    names = dedupe(display_names)
    msg = UNKNOWN_DRUG_MESSAGE.format(names=join(f"\u201c{n}\u201d" for n in names),
                                      verb="is" if len(names) == 1 else "are")
    if closest:
        msg += UNKNOWN_SUGGEST.format(names=", ".join(closest[:3]))
    return msg


def supported(u, ranked) -> bool:
    """Does the page say something about what is asked? Not when the question is about what a
    monograph never covers (its price, its look, its maker); yes when a passage shares a word
    of the topic (or the monographs' word for it) or is the FAQ that asks it, or when the intent
    says which section answers ("what are its side effects?", "can it make me put on weight?").
    A question with neither an intent nor a shared word has nothing to go on."""
    if not ranked or u.intent.name == "out_of_scope":
        return False
    if any(s.bm25 > 0 or s.parts.get("faq_words", 0) >= 0.5 or s.parts.get("faq_intent")
           or s.parts.get("faq_same") for s in ranked):
        return True
    return u.intent.name is not None or not u.topic


def choose(ranked, top_k: int, texts_of) -> tuple:
    """The first `top_k` passages, without the same text twice (duplicate pages)."""
    chosen, seen = [], set()
    for s in ranked:
        key = texts_of(s.chunk)
        if key in seen:
            continue
        seen.add(key)
        chosen.append(s)
        if len(chosen) == top_k:
            break
    return tuple(chosen)
