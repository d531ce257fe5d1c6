"""Stage 1 of answering: what a message asks, before any passage is looked at.

`understand()` turns the message (and the conversation before it, the sidebar focus and the
person's own medicines) into an `Understanding`: the emergency rule that fired, the medicines
named (and names the monographs lack), the medicines the question is about, the intent with
its weight and where it came from, and the words that say what is asked.

Messages are written the way people type. Long messages are read sentence by sentence: the
medicines come from the whole message, the intent from the sentences that ask (a question
mark, a question word), so a story before the question does not pick the section. Ordinary
words that are misspelt ("efects", "alchol", "pregnent") are corrected to the corpus's own
vocabulary, the most frequent word one edit away (two in long words), before the intent is
read; medicine names are resolved first, so they are never "corrected".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from . import intents, safety, subjects
from .drugs import ROUTE_WORDS, SALT_WORDS, Mention, normalize, route_of
from .text import stopwords

MAX_QUESTION_CHARS = 2000  # a question is read up to here; the rest is ignored

# Words that say what is asked, not about what: they never make a question "specific".
GENERIC = frozenset(
    """tell know about information info medicine medicines medication medications med meds drug drugs pill pills
    tablet tablets capsule capsules take taking taken takes took instead put puts putting use used using uses can could would should
    will may might please thanks thank ok okay need want get gets give giving much many often day days
    daily time times doctor side effects effect dose doses dosage dosing work works working worked
    safe safely safety happen happens stop stopping store storage storing keep missed miss forget
    forgot does do did make makes way right good bad best better normal also really still whats hows
    you your yours me my mine i im it its cause causes common long risk risks thing things kind type
    treat treats treatment used for like much hi hello hey wondering question questions quick anyone
    help know knows dr doc pharmacist nurse said says told wants heard read friend ive been just one two people person vs versus difference
    go going goes problem problems issue issues okay fine
    away lot lots since recently lately advice appreciated appreciate hope hoping dear regards cheers subject
    message""".split()
)

# The form a medicine comes in says which page, not what is asked ("diclofenac gel", "eye drops")
FORM_WORDS = SALT_WORDS | frozenset(w for words in ROUTE_WORDS.values() for w in words)

# Everyday words → the words monographs use for the same thing (stems of the project's
# analyzer). The monographs are written in clinical language, and their FAQ questions too, so
# these can't be learnt from the corpus: a small glossary of common lay health words.
EXPANSIONS = {
    "pregnant": ("pregnanc",), "pregnanc": ("pregnant",), "breastfeed": ("lactat", "breast"),
    "nurs": ("breastfeed", "lactat"), "kid": ("children", "child", "pediatr"), "child": ("children", "pediatr"),
    "children": ("child", "pediatr"), "toddler": ("children", "pediatr"), "babi": ("infant", "children"),
    "son": ("children", "child"), "daughter": ("children", "child"), "teen": ("adolesc", "children"),
    "teenag": ("adolesc", "children"), "elder": ("older",), "senior": ("older", "elder"), "older": ("elder",),
    "grandma": ("elder", "older"), "grandpa": ("elder", "older"), "booz": ("alcohol",),
    "drink": ("alcohol",), "beer": ("alcohol",), "wine": ("alcohol",), "vodka": ("alcohol",),
    "sleepi": ("drowsi",), "tire": ("fatigu",), "hungov": ("drowsi",), "groggi": ("drowsi",),
    "touch": ("contact", "handl"),
    "breakfast": ("food", "meal"), "lunch": ("food", "meal"), "dinner": ("food", "meal"), "supper": ("food", "meal"),
    "tummi": ("stomach", "abdomin"), "belli": ("stomach", "abdomin"), "stomach": ("abdomin", "gastrointestin"), "kidney": ("renal",), "liver": ("hepat",), "mouth": ("oral",),
    "hepat": ("liver",), "fat": ("weight",), "dose": ("dosag",), "dosag": ("dose",), "throw": ("vomit",),
    "puke": ("vomit",), "pee": ("urin",), "peeing": ("urin",), "poop": ("stool", "bowel"), "ticker": ("heart",),
    "boob": ("breast", "gynecomastia"), "puffi": ("swell", "edema"), "swollen": ("swell", "edema"), "hook": ("addict", "depend", "habit"),
    "addict": ("habit", "depend"), "kick": ("effect", "start"), "period": ("menstrual",), "horni": ("libido",),
    "sex": ("sexual", "libido"), "zit": ("acn",), "pimpl": ("acn",), "dizzi": ("dizzi", "lighthead"),
    "lighthead": ("dizzi", "hypotens"), "stand": ("orthostat",), "shaki": ("tremor",), "jitteri": ("tremor", "nervous"),
    "numb": ("numb", "neuropathi"), "heartburn": ("reflux",), "blood": ("blood",), "sugar": ("glucos", "hypoglycemia"),
    "flu": ("influenza",), "faint": ("syncop", "faint"), "pass": ("syncop", "faint"), "race": ("tachycardia", "palpit"),
    "racing": ("tachycardia", "palpit"), "color": ("colour", "pigment"), "colour": ("color", "pigment"), "pound": ("palpit",), "slow": ("bradycardia",), "shot": ("inject", "vaccin"), "jab": ("inject", "vaccin"), "fertil": ("fertil", "pregnanc"),
}

# "is it safe?", "how do I take them?": the question is about a medicine it does not name
_PRONOUN = re.compile(r"\b(it|its|this|that|these|those|them|they)\b|\b(my|her|his|their) (medicine|medication|medicines|"
                      r"medications|pills?|tablets?|meds)\b", re.I)
# "is it ok to drink on antibiotics?": an "it" that stands for no medicine (English's dummy subject)
_DUMMY_IT = re.compile(r"\b(is|was|would|will|could) it (be )?(\w+ )?(ok|okay|alright|fine|safe|bad|dangerous|"
                       r"normal|possible|true|good|wise|harmful|risky|common|likely) (to|if|for)\b", re.I)


def refers_back(text: str) -> bool:
    """Does `text` point at a medicine it does not name ("is it safe?", "my pills"), a dummy
    "it" aside ("is it ok to drink on antibiotics?")?"""
    return _PRONOUN.search(_DUMMY_IT.sub(" ", text)) is not None


# "and for children?", "what about in the elderly?", "what about tylenol instead?": goes on from the last question
_ELLIPTICAL = re.compile(r"^\W*(and|but|also|what about|how about|what of|same|even|or)\b|\binstead\b", re.I)
# "which of my medicines …", "her tablets": the person's whole list
_MY_LIST = re.compile(r"\b(my|her|his|their|our) (medicines|medications|meds|pills|tablets|drugs|prescriptions)\b"
                      r"|\bwhich of (my|her|his|their|them|these)\b|\bany of (my|her|his|their|them)\b", re.I)
# words that put two medicines together, and words that offer one instead of the other
_TOGETHER = re.compile(r"\b(with|together|mix\w*|combin\w*|interact\w*|while (on|taking|using)|on top of|alongside|"
                       r"same time)\b", re.I)
_ALTERNATIVE = re.compile(r"\b(what about|how about|instead|rather than|or)\b", re.I)
_COMPARE = re.compile(r"\b(difference|differ\w*|compare\w*|versus|vs|better)\b", re.I)
# "my antibiotic", "her blood pressure pills": a medicine the message does not name
# (a drug class, "my antibiotic", is `their_class`: the lexicon's classes, not a word list)
_UNNAMED = re.compile(r"\b(my|her|his|their|our)\s+(\w+\s+){0,2}(medicines?|medications?|meds|pills?|tablets?|"
                      r"capsules?|prescriptions?|drugs?|inhalers?|injections?|shots?)\b", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_ASKS = re.compile(r"\?\s*$|^\W*(what|how|can|could|is|are|does|do|did|should|will|would|why|when|which|any|may|"
                   r"who|where|whats|hows|cn|shud|wat)\b", re.I)


@dataclass(frozen=True)
class IntentGuess:
    name: str | None
    weight: float  # the rules' weight (0 when no rule matched)
    source: str  # "rules", "conversation", "two medicines", "named alone" or "none"

    def intent(self) -> intents.Intent | None:
        return intents.INTENT_BY_NAME.get(self.name) if self.name else None


@dataclass(frozen=True)
class Understanding:
    question: str  # as read (cut at the last whole word within MAX_QUESTION_CHARS)
    emergency: safety.Trigger | None
    mentions: tuple[Mention, ...]
    named: tuple[str, ...]  # corpus medicines the message names
    unknown: tuple[Mention, ...]  # names the monographs lack
    drugs: tuple[str, ...]  # the medicines the question is about
    drugs_from: str  # "named", "conversation", "my medicines", "focus" or "none"
    intent: IntentGuess
    asking: str  # the sentences that ask (the whole message when it is one sentence)
    corrected: dict = field(default_factory=dict)  # misspelt ordinary word → the corpus word
    tokens: tuple[str, ...] = ()  # stems of the asking sentences, expanded
    topic: tuple[str, ...] = ()  # stems that say what is asked about (not generic, not names)
    asked: tuple[str, ...] = ()  # all stems but the medicine names, expanded
    key: tuple[str, ...] = ()  # stems that say what is asked: topic and intent words (for FAQ questions)
    words: tuple[str, ...] = ()  # every stem but the medicine names, as written (not expanded)
    pronoun: bool = False
    my_list: bool = False  # "which of my medicines …"
    compare: bool = False
    unnamed: str = ""  # "my antibiotic": the person's medicine, named only by its class
    apart: bool = False  # two or more medicines named apart ("plavix with aspirin"), not as one combination
    classes: tuple[str, ...] = ()  # drug classes asked about when no medicine is ("statins"; "do they …?" after them)
    instead: bool = False  # a second medicine offered instead of the first ("… tylenol? what about ibuprofen?")


@dataclass
class Context:
    """What the conversation so far is about."""

    drugs: tuple[str, ...] = ()
    intent: intents.Intent | None = None
    apart: bool = False  # its medicines were named as separate ones ("plavix with aspirin")
    classes: tuple[str, ...] = ()  # drug classes asked about since the newest medicine ("statins")


PEOPLE = frozenset("dr doc doctor doctors pharmacist nurse nurses friend friends people person".split())


def expand(stems) -> list[str]:
    stems = list(stems)
    extra = [e for t in stems for e in EXPANSIONS.get(t, ()) if e not in stems]
    return stems + list(dict.fromkeys(extra))


# a sentence pointing back at the one before: a demonstrative ("is this normal?", "should I stop
# that?"), or "it" as what something causes ("could lisinopril be causing it?"); not the "it"
# of "is it safe" or "stop taking it", which is the medicine
_REFERS_BACK = re.compile(r"\b(this|that|these|those)\b(?! (medicine|medication|drug|pill|tablet|one)s?\b)"
                          r"(?! (she|he|i|you|it|they|we|my|his|her|their)\b)"  # "a problem that she feels …"
                          r"|\b(caus\w*|behind|from|with|about|treat\w*|help\w*) (it|them)\b", re.I)


SHORT_QUESTION_WORDS = 4


def asking_part(message: str, context: bool = True) -> str:
    """The sentences of a long message that ask something (all of it when none clearly does),
    each with the sentence before it when it refers back to it ("I've had a dry cough for
    weeks. Could lisinopril be causing it?") unless `context` is false."""
    sentences = [s.strip() for s in _SENTENCE.split(message) if s.strip()]
    if len(sentences) <= 1:
        return message
    keep: list[str] = []
    for i, s in enumerate(sentences):
        if not _ASKS.search(s):
            continue
        before = sentences[i - 1] if i else ""
        # a question too short to say what about ("Should I stop?", "Can I still take it?")
        # refers back as well
        points_back = _REFERS_BACK.search(s) or len(s.split()) <= SHORT_QUESTION_WORDS
        if context and before and points_back and not _ASKS.search(before) and before not in keep:
            keep.append(before)
        keep.append(s)
    return " ".join(keep) if keep else message


@lru_cache(maxsize=1)
def _english():
    """pyspellchecker's English word list (frequencies from subtitles and Wikipedia): a standard
    resource for "is this an English word", read on the first word the corpus does not know."""
    try:
        from spellchecker import SpellChecker
    except ImportError:  # pragma: no cover - a declared dependency; without it, no guard
        return None
    return SpellChecker(language="en", distance=1)


ENGLISH_MIN_COUNT = 100  # rarer entries of the list are mostly misspellings themselves ("stor": 68)


def is_english(word: str) -> bool:
    checker = _english()
    return checker is not None and checker.word_frequency[word] >= ENGLISH_MIN_COUNT


class Speller:
    """Misspelt ordinary words → the corpus's most frequent word one edit away (two in words of
    eight letters or more), first letter kept. Known words and words under five letters are
    left alone."""

    def __init__(self, vocabulary: list[str], frequency):
        self._vocab = vocabulary
        self._known = frozenset(vocabulary)
        self._frequency = frequency  # word → how many chunks contain it
        self._memo: dict[str, str] = {}

    def correct(self, word: str) -> str:
        # short words are too often real words the corpus lacks ("wife" is not a misspelt "wide"),
        # and so are English words in general ("price" is not a misspelt "prime")
        if len(word) < 4 or word in self._known or not word.isalpha() or is_english(word):
            return word
        got = self._memo.get(word)
        if got is None:
            from rapidfuzz import process
            from rapidfuzz.distance import OSA

            limit = 1 if len(word) < 8 else 2
            hits = process.extract(word, self._vocab, scorer=OSA.distance, score_cutoff=limit, limit=20)
            hits = [(w, d) for w, d, _ in hits if w[0] == word[0] and len(w) >= 3]
            got = word
            if hits:
                best_d = min(d for _, d in hits)
                got = max((w for w, d in hits if d == best_d), key=self._frequency)
            if len(self._memo) < 10000:
                self._memo[word] = got
        return got


def shorten_question(text: str, limit: int = MAX_QUESTION_CHARS) -> tuple[str, bool]:
    """`text` cut to at most `limit` characters at a word boundary, and whether it was cut.
    (The engine reads only the first `limit` characters; cutting mid-word would leave a
    fragment that could be taken for a misspelt medicine.)"""
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    if not text[limit].isspace() and not cut[-1].isspace():  # the cut falls inside a word
        space = max(cut.rfind(" "), cut.rfind("\n"), cut.rfind("\t"))
        if space > 0:  # one giant word: nothing better than the hard cut
            cut = cut[:space]
    return cut.rstrip(), True


def subject_first(named: tuple[str, ...], mentions, message: str, asking: str | None = None) -> tuple[str, ...]:
    """The medicines named, the one the question asks about first: in one sentence, the first
    ("can I take A with B?"); after a story, the one its question names ("I'm on sertraline.
    Can I take tramadol?"), or, when the question names none ("Is it safe to take both?"), the
    story's newest. `asking` is `asking_part(message)` when the caller has it."""
    asking = asking_part(message) if asking is None else asking
    if len(named) < 2 or asking == message:
        return named
    said = normalize(asking)
    asked_about = [m.drug for m in mentions if m.drug in named and normalize(m.text) in said]
    return tuple(dict.fromkeys(asked_about + list(named))) if asked_about else tuple(reversed(named))


_TAKEN_FOR = re.compile(r"^(?:\s+\w+){0,3}?\s+for\s+((?:(?:my|his|her|their|a|an|the|some)\s+)?[a-z\- ]+?)"
                        r"(?=[,.;!?]|\s+(?:and|but|so|since|because|which|that|after|when)\b|$)", re.I)


def _taken_for(message: str, mentions, asking: str) -> set[str]:
    """Words of "<medicine> … for <what it treats>" in the story part of a message."""
    if asking == message:
        return set()
    out: set[str] = set()
    lowered = message.lower()
    for m in mentions:
        if not m.drug:
            continue
        at = lowered.find(m.text.lower())
        if at < 0 or at >= len(lowered) - len(asking):
            continue  # named in the question itself
        hit = _TAKEN_FOR.match(lowered[at + len(m.text):])
        if hit and len(hit.group(1).split()) <= 5:
            out.update(hit.group(1).split())
    return out


_SINGULAR = re.compile(r"\b(it|its)\b", re.I)
_PLURAL = re.compile(r"\b(them|they|both|these|those|together|each|either|all)\b", re.I)
_POSSESSIVE = re.compile(r"\b(?:my|his|her|their|our)\s+([a-z][a-z\-]*(?:\s+[a-z][a-z\-]*){0,2})", re.I)


def _described_as(engine, medicine: str, phrase: str) -> bool:
    """Does the medicine's own page call it `phrase` ("antibiotic") in what it is and does?"""
    analyzer = engine.index.analyzer
    wanted = set(analyzer.tokens(phrase))
    ids = [int(i) for i in engine.chunks_of(medicine)
           if engine.index.section_of(int(i)) in ("overview", "usage", "how_it_works")]
    return bool(wanted) and any(wanted <= set(analyzer.tokens(c.text)) for c in engine.index.chunks(ids))


def their_class(engine, text: str) -> str:
    """The drug class a person calls their medicine by ("my antibiotic", "her statins"), from
    the lexicon's classes; "" when none."""
    for m in _POSSESSIVE.finditer(text):
        words = m.group(1).split()
        for n in range(len(words), 0, -1):  # the longest ("my beta blocker" before "my beta")
            phrase = " ".join(words[:n])
            if engine.index.drugs.is_class(phrase):
                return phrase
    return ""


def _subject_medicines(engine, q: str, mentions, allow_weak: bool, others: bool) -> tuple[str, ...]:
    """The corpus medicines the message asks about: those it names, less the ones named as a
    topic ("a yeast infection", "allergic to penicillin", see subjects.py) when another
    medicine is named or (`others`) in the conversation, the sidebar or the person's list."""
    named = engine.names(list(mentions), allow_weak=allow_weak)
    if not named or (len(named) == 1 and not others):
        return named
    topics = subjects.topic_mentions(engine, normalize(q).split(), list(mentions))
    if not topics:
        return named
    rest = engine.names([m for k, m in enumerate(mentions) if k not in topics], allow_weak=allow_weak)
    return rest if rest or others else named


# words that join two names into one medicine ("amlodipine and atenolol", "amlodipine/atenolol")
_JOINING = frozenset({"and", "plus"})
_COMBINATION = re.compile(r"\b(combination|combo|combined)\b", re.I)


def named_apart(q: str, mentions, named: tuple[str, ...]) -> bool:
    """Two or more medicines named as separate ones, not as one combination."""
    return len(named) > 1 and not _named_together(q, mentions, named)


def _spans_naming(mentions, named: tuple[str, ...]) -> list[tuple[int, int]]:
    """The word spans of the message that name the medicines (one span may name two pages:
    "niacin")."""
    return sorted({(m.start, m.end) for m in mentions if m.drug in named})


def _named_together(q: str, mentions, named: tuple[str, ...]) -> bool:
    """Are the medicines named as one ("amlodipine and atenolol", "the amlodipine atenolol
    combination"), rather than as two medicines the person takes ("plavix with aspirin")?"""
    if _COMBINATION.search(q):
        return True
    words = normalize(q).split()
    spans = _spans_naming(mentions, named)
    return all(set(words[a_end:b_start]) <= _JOINING for (_, a_end), (b_start, _) in zip(spans, spans[1:]))


# "my 6 year old", "a 10-month-old": a child; "my 80 year old mother": an older person
_AGE = re.compile(r"\b(\d{1,3})[\s-]*(?:(years?|yrs?|months?|mos?|weeks?|wks?)[\s-]*old|(yo|y/o))\b", re.I)
ADULT_AGE, OLDER_AGE = 18, 65


def said_age(text: str) -> str:
    """`text` with the monographs' word for an age group after an age ("a 10 year old" → "a 10
    year old child", "my 80 year old mom" → "my 80 year old elderly mom"): the pages say
    "children" and "elderly" more often than ages."""
    def group(m: re.Match) -> str:
        unit = (m.group(2) or "y").lower()
        years = int(m.group(1)) / (1 if unit.startswith("y") else 12 if unit.startswith("mo") else 52)
        group = "child" if years < ADULT_AGE else "elderly" if years >= OLDER_AGE else ""
        return f"{m.group(0)} {group}" if group else m.group(0)  # the age stays: pages give ages too

    return _AGE.sub(group, text)


# "took 500mg", "for 2 years": amounts, which are the topic only of these intents
DOSE_INTENTS = frozenset({"dosage", "overdose", "missed_dose"})
_AMOUNT = re.compile(r"^\d+(\.\d+)?(mg|mcg|ug|g|ml|iu|units?|mgs|x)?$")

FOR_WHAT_WORDS = 8  # a short question: in a longer one "X for Y" tells what the person takes it for
FOR_WHAT_WEIGHT = 3.0


# who or how long a medicine is "for" ("melatonin for kids", "for a month") is not what it treats
FOR_WHOM = frozenset("""kids kid children child baby babies infant infants toddler toddlers teen teens teenager
    teenagers elderly seniors older adults adult women woman men man pregnancy dog dogs cat cats pets""".split())


def _for_what(q: str, mentions) -> bool:
    """"gabapentin for anxiety?", "is metformin for weight loss": a medicine's name followed by
    "for" and a condition, in a short question, asks what it is used for."""
    words = normalize(q).split()
    return len(words) <= FOR_WHAT_WORDS and any(
        m.drug and m.end < len(words) - 1 and words[m.end] == "for"
        and words[m.end + 1] not in FOR_WHOM and words[m.end + 1] not in stopwords() and words[m.end + 1] not in PEOPLE
        for m in mentions)


def _classes_asked(engine, q: str, asking: str, drugs, unnamed: str, pronoun: bool, my_list: bool, ctx) -> tuple[str, ...]:
    """The drug classes a question without a medicine asks about: those it names ("can statins
    cause …?"), unless "it" points back at an unnamed medicine ("is it safe with statins?"); else,
    for a follow-up, the conversation's ("do they …?" after "what are statins for?")."""
    if drugs or unnamed or my_list:
        return ()
    if not (pronoun and refers_back(asking)):
        named = engine.classes_named(asking)
        if named:
            return tuple(named)
    return ctx.classes if pronoun or _ELLIPTICAL.search(q) else ()


# the sections a question's words may point to, and the intent that asks for each
PRIOR_SECTIONS = {"usage": "usage", "dosage": "dosage", "side_effects": "side_effects",
                  "precautions": "precautions", "how_it_works": "how_it_works"}
PRIOR_MIN_DF = 20  # a word in fewer passages says nothing reliable about where it is written
PRIOR_MIN_SHARE = 0.5  # the section must hold at least this share of the words' (lifted) use
PRIOR_WEIGHT = 5.0  # × the share: a rule-like weight, below a clear rule's (see rank's sure_intent)


def section_prior(engine, topic) -> tuple[str, float] | None:
    """(intent, share) of the section the corpus mostly writes the topic's words in, each word's
    passages counted per section against the section's size ("mood", "swings" → side effects;
    "grapefruit" → precautions), or None when no section clearly stands out or the words
    disagree."""
    shares = [s for s in (engine.section_shares(t) for t in dict.fromkeys(topic)) if s is not None]
    if not shares:
        return None
    mean = np.mean(shares, axis=0)
    best = int(np.argmax(mean))
    # every word points to it ("which country is it manufactured in": usage and dosage, neither)
    if mean[best] < PRIOR_MIN_SHARE or any(int(np.argmax(s)) != best for s in shares):
        return None
    return list(PRIOR_SECTIONS.values())[best], float(mean[best])


def understand(engine, message: str, history=(), focus=None, medicines=None) -> Understanding:
    """Stage 1: the message → an Understanding (see the module docstring)."""
    q = shorten_question(message)[0]
    trigger = engine.emergency(message)
    ctx = engine.context(list(history or ()), focus)
    mine = tuple(m for m in (medicines or ()) if engine.knows(m))
    mentions = tuple(engine.index.drugs.find(q))
    unnamed = their_class(engine, q)
    # "alcohol with my antibiotic", "with my blood pressure pills": alcohol is not the medicine;
    # which one is not said
    possessed = _UNNAMED.search(q) is not None
    # an everyday word that is also a medicine ("alcohol") is the medicine only when nothing else
    # is: a medicine in focus, a medicine named by its class, or a drug class asked about
    weak_ok = not (ctx.drugs or mine or unnamed or possessed) and not (
        any(m.how == "weak" for m in mentions)
        and (engine.index.drugs.classes_named(q) or (ctx.classes and (_PRONOUN.search(q) or _ELLIPTICAL.search(q)))))
    named = _subject_medicines(engine, q, mentions, allow_weak=weak_ok,
                               others=bool(ctx.drugs or mine))
    unknown = tuple(m for m in mentions if not m.drug and m.unknown_name)
    asking = asking_part(q)
    bare = asking_part(q, context=False)  # the asking sentences alone, without what they point back at
    named = subject_first(subjects.vaccine_for(engine, q, mentions, named), mentions, q, asking)
    apart = named_apart(q, mentions, named)
    analyzer = engine.index.analyzer
    # the words that named a medicine; an everyday word that is also one ("alcohol") stays a
    # word of the question when another medicine is the subject
    drug_words = {w for m in mentions if not m.drug or m.drug in named for w in normalize(m.text).split()}
    # a salt word standing alone ("lowering his potassium") is what is asked about, not a form
    loose = {normalize(m.text) for m in mentions if m.how == "weak" and m.drug not in named}
    if named:
        # a route word says which page only when a named medicine has a page by that route
        # ("timolol eye drops"); else it is what is asked ("does plaquenil hurt your eyes")
        routes = {route_of(page) for d in named for page in (d, *engine.variants_of(d))}
        loose |= {w for route, forms in ROUTE_WORDS.items() if route not in routes for w in forms}
    speller = engine.speller()

    def read(text: str):
        """(content words, corrected words, the corrections, intent, weight) of a text."""
        text = said_age(text)
        content = analyzer.content_words(text)
        fixed, corrected = [], {}
        for w in content:
            # names are not words to correct, nor everyday words ("meds"); a word the glossary
            # knows ("puffy") only into its own spelling ("stomache" → "stomach": the same stem)
            c = w if w in drug_words or w in GENERIC else speller.correct(w)
            if c != w and analyzer.stem(w) in EXPANSIONS and analyzer.stem(c) != analyzer.stem(w):
                c = w
            if c != w:
                corrected[w] = c
            fixed.append(c)
        fixed_text = text
        for wrong, right in corrected.items():
            fixed_text = re.sub(rf"\b{re.escape(wrong)}\b", right, fixed_text, flags=re.I)
        # the intent as written, unless the corrected words say more ("side efects")
        names = {w for d in drug_words for w in d.split()}
        skip = frozenset({"stopping"}) if intents.stops_something_else(text, names) else frozenset()
        intent, weight = intents.detect_scored(text, skip)
        if corrected:
            intent2, weight2 = intents.detect_scored(fixed_text, skip)
            # the corrected words say more, or as much and are what the intent reads ("what is
            # the dosege for …": dosage, not "what is … for")
            if weight2 > weight or (weight2 == weight and intent2 is not None and intent2 is not intent
                                    and set(corrected.values()) & intent2.matched_words(intents.normalize_question(fixed_text))):
                return content, fixed, corrected, intent2, weight2, fixed_text
        return content, fixed, corrected, intent, weight, text

    content, fixed, corrected, intent, weight, intent_text = read(asking)
    if asking != q and (intent is None or intents.detect(bare) is None):
        # "Is that true?" after a story: the story says what is asked
        asking = q
        content, fixed, corrected, intent, weight, intent_text = read(q)
    intent_words = intent.matched_words(intents.normalize_question(intent_text)) if intent else set()
    stems = analyzer.stems(fixed)
    pairs = list(zip(stems, fixed, content))
    tokens = tuple(expand(stems))
    words = tuple(dict.fromkeys(t for t, w, raw in pairs if raw not in drug_words and (w not in FORM_WORDS or w in loose)))
    # the people a message mentions are asked words, but not read as a topic's other words
    # ("my nurse said" is not about breastfeeding, though "nursing" is)
    asked = tuple(dict.fromkeys([t for t, w, raw in pairs if raw not in drug_words]
                                + expand(t for t, w, raw in pairs if raw not in drug_words and w not in PEOPLE)))
    # what is asked: not everyday question words, not the medicine; the topic: not the intent's words either
    # a number or a strength ("500mg", "2") says what is asked only of a dose
    numbers_asked = intent is not None and intent.name in DOSE_INTENTS

    def plain(w: str, raw: str) -> bool:  # not an everyday word, a medicine's name or its form ("gel", "drops")
        return w not in GENERIC and raw not in drug_words and (w not in FORM_WORDS or w in loose) \
            and (numbers_asked or not _AMOUNT.match(w))

    # in a story, what the medicine is taken for ("I'm on Eliquis for atrial fibrillation") is
    # what the person knows, not what they ask; unless they ask what it is for
    known = set() if intent is not None and intent.name == "usage" else _taken_for(q, mentions, bare)
    key = tuple(dict.fromkeys(t for t, w, raw in pairs if plain(w, raw) and raw not in known))
    topic = tuple(t for t, w, raw in pairs if plain(w, raw) and w not in intent_words and raw not in known)
    pronoun = _PRONOUN.search(q) is not None or possessed  # "with my blood pressure pills": which?
    my_list = _MY_LIST.search(q) is not None
    compare = _COMPARE.search(q) is not None

    guess = IntentGuess(intent.name if intent else None, weight, "rules" if intent else "none")

    # which medicines: named ones; else the person's list when asked about it; else the
    # conversation's (or the sidebar's) focus; else the person's list
    drugs, drugs_from = named, "named" if named else "none"
    if not drugs and mine and my_list:
        drugs, drugs_from = mine, "my medicines"
    if not drugs and ctx.drugs and (intent is not None or topic or not tokens or pronoun):
        drugs, drugs_from = ctx.drugs, "focus" if focus else "conversation"
    if not drugs and mine and (intent is not None or topic or pronoun):
        drugs, drugs_from = mine, "my medicines"
    new = tuple(n for n in named if n not in mine)
    if new and mine and not my_list and (intent is None or intent.name in ("precautions", "about")):
        # "can I take ibuprofen?" with a list: checked against the person's medicines
        drugs = new + tuple(m for m in mine if m not in new)
        drugs_from = "named + my medicines"

    if unnamed and drugs and not named:
        # "my antibiotic": of the conversation's or the person's medicines, the one its monograph
        # calls that; none of them → which one?
        drugs = tuple(d for d in drugs if _described_as(engine, d, unnamed))
        drugs_from = drugs_from if drugs else "none"
    elif drugs and not named and not unnamed and (classes := engine.classes_named(q)):
        # "can statins cause memory loss?" with a list or a conversation: those of its medicines
        # that are of the class; none → the class itself (its medicines' pages)
        drugs = tuple(d for d in drugs if any(_described_as(engine, d, c) for c in classes))
        drugs_from = drugs_from if drugs else "none"
    if drugs_from == "conversation" and len(drugs) > 1 and ctx.apart and _SINGULAR.search(q) and not _PLURAL.search(q):
        drugs = drugs[:1]  # "how much of it can she take?" after "is tylenol ok with her coumadin?"

    if drugs_from == "named + my medicines":
        guess = IntentGuess("precautions", weight, "my medicines")  # taken together: interactions
    elif ctx.intent is not None and drugs and not named and _ELLIPTICAL.search(q) and weight < intents.STRONG:
        guess = IntentGuess(ctx.intent.name, weight, "conversation")  # "what about for kids?"
    elif ctx.intent is not None and named and _ELLIPTICAL.search(q) and not topic and weight < intents.STRONG:
        guess = IntentGuess(ctx.intent.name, weight, "conversation")  # "what about paracetamol instead?"
    elif ctx.intent is not None and drugs and not named and intent is None and _PRONOUN.search(q):
        # "how long do they last?" after the side effects: what "they" are is the last question's
        guess = IntentGuess(ctx.intent.name, weight, "conversation")
    elif len(named) > 1 and (intent is None or intent.name == "about") and len(_spans_naming(mentions, named)) > 1:
        # "I'm on sertraline, can I take tramadol?" is about taking them together;
        # "diazepam vs imipramine" about what each is (two medicines named, not one name
        # that two pages have: "niacin" is Nicotinic acid and Niacin (Vitamin B3))
        guess = IntentGuess("about" if compare else "precautions", weight, "two medicines")
    elif (intent is None or weight < FOR_WHAT_WEIGHT) and named and _for_what(q, mentions):
        guess = IntentGuess("usage", FOR_WHAT_WEIGHT, "rules")  # "gabapentin for anxiety?": is it used for it?
    elif intent is None and named and not topic:
        # "and what about diazepam?" keeps the conversation's question; a bare name is "about"
        guess = IntentGuess(ctx.intent.name if ctx.intent else "about", weight,
                            "conversation" if ctx.intent else "named alone")
    return Understanding(q, trigger, mentions, named, unknown, tuple(drugs), drugs_from, guess, asking, corrected,
                         tokens, topic, asked, key, words, pronoun, my_list, compare, unnamed,
                         # a named medicine beside the person's own list is one more they take
                         apart if drugs_from == "named" else
                         ctx.apart if drugs_from == "conversation" else
                         drugs_from in ("named + my medicines", "my medicines"),
                         # "what are statins for?" → "do they cause memory loss?": the class goes on
                         _classes_asked(engine, q, asking, drugs, unnamed, pronoun, my_list, ctx),
                         len(named) > 1 and _ALTERNATIVE.search(q) is not None and _TOGETHER.search(q) is None)
