"""What a question wants to know: intents recognised from the wording, and safety triggers.

Each intent names the sections that answer it (in order of preference) and, for questions
that monographs answer in their FAQs (missed dose, storage, stopping…), a pattern that the
matching FAQ question carries. Patterns are weighted; the heaviest intent wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from .regex_needs import GatedPattern, PatternSet


@dataclass(frozen=True)
class Intent:
    name: str
    sections: tuple[str, ...]
    patterns: tuple[tuple[str, float], ...]
    faq: str = ""  # regex an FAQ question (or answer) matching this intent carries
    label: str = ""

    @cached_property
    def _compiled(self) -> tuple[tuple[re.Pattern, float], ...]:
        return tuple((re.compile(p), w) for p, w in self.patterns)

    @cached_property
    def _pattern_set(self) -> frozenset[re.Pattern]:
        return frozenset(p for p, _ in self._compiled)

    @cached_property
    def _literals(self) -> tuple[str, ...]:
        return tuple(w for p, _ in self.patterns for w in re.findall(r"[a-z]{3,}", re.sub(r"\\[a-zA-Z]", " ", p)))

    @cached_property
    def _faq(self) -> re.Pattern | None:
        return re.compile(self.faq, re.I) if self.faq else None

    def score(self, q: str, may_match: frozenset[re.Pattern] | None = None) -> float:
        """The weights of the patterns found in `q` (`may_match`: the only patterns that can be,
        from `patterns_that_may_match(q)`; None: any)."""
        return sum(w for p, w in self._compiled if (may_match is None or p in may_match) and p.search(q))

    def matched_words(self, q: str) -> set[str]:
        """The words of a normalised question that this intent's patterns matched and spell
        out ("how long … work", "storage and disposal"): they say what kind of answer, not
        what about. Words a pattern's wildcard spans ("what is … for") are not among them."""
        literals = self._literals
        out: set[str] = set()
        may_match = patterns_that_may_match(q)
        for p, _ in self._compiled:
            if may_match is not None and p not in may_match:
                continue
            for m in p.finditer(q):
                out.update(w for w in m.group(0).split() if any(w.startswith(lit) for lit in literals))
        return out

    def faq_matches(self, text: str) -> bool:
        return self._faq is not None and self._faq.search(text) is not None


INTENTS: tuple[Intent, ...] = (
    Intent(
        "missed_dose",
        ("faq", "dosage"),
        # "mis", "missd", "mised": the speller leaves words under four letters alone, so the
        # pattern takes the slips of "miss" itself
        ((r"\b(mis{1,2}(e?d|ing)?|forg[eo]t\w*|skip(ped|ping)?)\b.{0,40}\b(dose|doses|pill|pills|tablet|tablets|it|take|taking|meds?|medication|one)\b", 4.0),
         (r"\b(mis{1,2}e?d|forgot|forgotten|skipped) (my|his|her|their|to take)\b", 4.0),
         (r"\bdose\b.{0,20}\b(miss|forg|skip)", 4.0)),
        faq=r"\b(miss|missed|forget|forgot|skip)",
        label="Missed dose",
    ),
    Intent(
        "storage",
        ("faq",),
        ((r"\bstor(e|es|age|ed|ing)\b", 4.0), (r"\bdispos(e|al|ing)\b", 3.0),
         (r"\b(fridge|refrigerat\w*|expir\w*|room temperature)\b", 3.0),
         # left somewhere too hot or too cold: is it still good? ("left my insulin in the car")
         (r"\b(froze|frozen|freez\w*|in (a|the|my) (hot |cold )?car|(too|got|gets|get|was|were) (hot|cold|warm|wet))\b", 3.0)),
        faq=r"\b(stor(e|ed|age|ing)|dispos|keep)\b",
        label="Storage",
    ),
    Intent(
        "stopping",
        ("faq", "precautions", "dosage"),
        # stopping the medicine, not an activity or a symptom ("quit smoking", "stop itching")
        ((r"\b(stop|stopping|stopped|quit|quitting)\b(?! (?!taking\b|using\b|giving\b)[a-z]+ing\b)", 4.0),
         (r"\b(discontinu\w*|come off|coming off|wean\w*|taper\w*|cold turkey)\b", 4.0),
         (r"\bwithdraw(al|als|l|n|ing)?\b", 3.0)),  # (and the speller's "withdraw" for "withdrawl")
        faq=r"\b(stop|stopping|discontinu|quit|withdraw|abrupt)",
        label="Stopping",
    ),
    Intent(
        # ~200 rxhive FAQs ask it ("What happens if I take too much?", "Can I overdose on …?")
        "overdose",
        ("faq", "precautions", "dosage"),
        ((r"\b(too much|too many|overdos\w*|more than (the |is )?(recommended|prescribed))\b", 4.0),
         (r"\b(toxic|toxicity)\b", 3.0),
         # more than the dose by mistake: "took 2 instead of 1", "a double dose", "an extra pill"
         (r"\b(\d+|two|three|four|five|both)\b.{0,25}\b(instead of|rather than)\b", 4.0),
         (r"\b(double|doubled|extra|second) (dose|doses|pill|pills|tablet|tablets|capsule|capsules|dosage)\b", 4.0),
         (r"\b(took|taken|had|gave|given) (it |them |my \w+ )?twice\b", 4.0)),
        faq=r"too much|too many|overdos|toxic|double|extra (dose|pill|tablet)",
        label="Too much",
    ),
    Intent(
        "addiction",
        ("faq", "precautions", "side_effects"),
        ((r"\b(addict\w*|habit[- ]forming|dependen\w*|abuse|hooked|get(ting)? high|recreational\w*)\b", 4.0),),
        faq=r"addict|habit|dependen|abuse",
        label="Addiction",
    ),
    Intent(
        "onset",
        ("faq", "how_it_works", "dosage"),
        # (not "how long do side effects last": how long they last, not how long it takes)
        ((r"\bhow (long|soon|quick|quickly|fast)\b.{0,50}(?<!side )(?<!side-)\b(work|effect|kick|results?|help|start)", 5.0),
         (r"\bwhen\b.{0,40}\b(start|begin)\w*\b.{0,10}\bwork", 5.0), (r"\bkick in\b", 5.0),
         (r"\bhow long\b.{0,25}\b(supposed|going|meant|expected) to take\b|\bhow long (will|does|should) it take\b", 4.0)),
        faq=r"how long|take effect|to work|see (results|improvement)|start working|kick in",
        label="How long it takes",
    ),
    Intent(
        "side_effects",
        ("side_effects", "faq", "precautions"),
        ((r"\bside[- ]?[ae]f+ects?\b", 5.0), (r"\bsideeffects?\b", 5.0), (r"\badverse\b", 4.0), (r"\b(reactions?|risks?)\b", 2.0),
         (r"\b(cause|causes|caused|causing|give you|give me|gives you)\b", 2.5),
         (r"\b(hungry|appetite|weight|tired|fatigue|insomnia|constipat\w*|diarrh\w*|vomit\w*|itch\w*|swelling|bruis\w*)\b", 1.0),
         (r"\bmake (me|you|him|her|them|my \w+) (feel )?(sleepy|drowsy|tired|dizzy|sick|nauseous|gain|fat|hungry)", 4.0),
         # what a medicine does to the person ("making me pass out", "gave me white patches")
         (r"\b(make|makes|making|made|gave|give|gives|giving|turned|turning) (me|my|him|his|her|them|their|you|your)\b", 3.0),
         (r"\bwhy (do|am|is|does|are) (i|my|he|she|they)\b", 2.0),
         # a change since the medicine began, or one it is suspected of ("since starting sertraline
         # I can't sleep", "could the water pill be lowering his potassium", "upsetting my stomach")
         (r"\b(since|after) (i |he |she |we |they )?(start|started|starting|began|beginning|went on|going on|"
          r"switch(ed|ing)? to)\b", 2.5),
         (r"\b(lower|lowering|lowers|raise|raising|raises|drop|dropping|drops|(mess|messes|messed|messing) (with|up)|affecting|"
          r"upset|upsetting|upsets|hurting|irritating|bothering) (my|his|her|their|your)\b", 2.5),
         (r"\b(go|goes|going) away\b|\bwears? off\b|\bis (this|that|it) normal\b|\bnormal to (feel|have|get)\b", 2.0),
         (r"\b(drowsy|drowsiness|sleepy|dizzy|dizziness|nausea|headaches?|weight gain|hair loss|insomnia|rash)\b", 1.5)),
        faq=r"side effect|reaction",
        label="Side effects",
    ),
    Intent(
        "dosage",
        ("dosage", "faq"),
        ((r"\bdos(e|es|age|ages|ing)\b", 3.0), (r"\bhow (much|many|often)\b", 3.0),
         (r"\bhow (should|do|can|to|would)\b.{0,30}\b(take|taken|use|used|give|given|apply|administer\w*)\b", 3.0),
         (r"\b(mg|milligrams?|mcg)\b", 2.0), (r"\b(maximum|max|starting|daily)\b", 1.0),
         (r"\b(forms?|tablets?|capsules?|injections?|liquid|syrup|cream)\b.{0,20}\b(come|available|forms?)\b", 2.0),
         (r"\bcome in\b", 2.0),
         (r"\b(cut|split|crush\w*|chew\w*|halve|break|open|dissolve|sprinkle) (it|them|the|my|a|an|this)\b", 3.0),
         (r"\bhow long (can|should|could|is it (ok|safe|okay) to|do|to) (i |you |we )?(take|stay on|use|be on|keep taking|continue)\b", 4.0),
         (r"\b(empty stomach|with food|without food|with meals?|before (a )?meals?|after (a )?meals?|on food)\b", 3.0),
         (r"\b(time of day|what time|morning or (at )?night|in the morning|at night|bedtime)\b", 3.0),
         (r"\bwhen (should|do|to|can|would) (i |you )?(take|use|give|apply)\b", 3.0),
         (r"\b(is|are|was|will) (one|a single|a|\d+ ?\w*)\b.{0,25}\benough\b", 3.0)),  # "is one pill enough?"
        faq=r"how (much|many|often)|how (should|do|is) (i|it|this)\b.{0,20}\b(take|taken|use|used|given|administered)|with food|(usual|maximum|starting) dose",
        label="Dosage",
    ),
    Intent(
        "usage",
        ("usage", "overview"),
        ((r"\bused (for|to)\b", 4.0), (r"\bwhat is\b.{1,40}\bfor $", 4.0), (r"\bfor $", 1.0), (r"(?<!\bto )\buses?\b(?! (it|this|them))", 2.0), (r"\btreat(s|ed|ing|ment)?\b", 2.0),
         (r"\bindicat\w*", 3.0), (r"\bprescribed?\b", 2.0), (r"\bwhy (is|would|do|does|are)\b", 2.0),
         (r"\b(purpose|good for|help with|helps with|for what)\b", 3.0), (r"\bwhat (is|are) .{2,40} for\b", 3.0),
         (r"\bwho should (get|take|use)\b", 2.0),
         (r"\b(does|do|can|will|would) (it|this|they|that|\w+) (actually |really |even )?help\b", 3.0)),  # "does it help people quit?"
        label="Uses",
    ),
    Intent(
        "how_it_works",
        ("how_it_works", "usage"),
        # "in the body" is how the question is put, not a topic (the usage section says "body" too)
        ((r"\bhow (does|do|did)\b.{0,40}\bwork(s|ing)?\b(?: in (?:the|your|my|his|her) body\b)?", 4.0),
         (r"\bmechanism\b", 5.0), (r"\bwhat does .{1,40} do\b(?: (?:in|to) (?:the|your|my|his|her) body\b)?", 3.0),
         (r"\bhow .{1,40} works?\b(?: in (?:the|your|my|his|her) body\b)?", 2.0), (r"\b(mode|way) of action\b", 5.0)),
        label="How it works",
    ),
    Intent(
        "precautions",
        ("precautions", "faq", "side_effects"),
        ((r"\b(pregnan\w*|breast ?feed\w*|breast milk|nursing|lactat\w*|conceiv\w*)\b", 4.0),
         (r"\b(alcohol|drink|drinking|beer|wine|grapefruit)\b", 4.0),
         (r"\b(interact\w*|together|combin\w*|mix\w*|at the same time)\b", 3.0), (r"\btake .{1,40} with\b", 2.0),
         (r"\b(safe|safety|precautions?|warnings?|cautions?|careful|contraindicat\w*|avoid|dangerous|concerns?)\b", 3.0),
         (r"\bwho (should|shouldn t|should not|can t|cannot)\b", 2.0),
         (r"\b(worse|worsen\w*|aggravat\w*|flare\w*)\b", 3.5),  # a condition it can make worse
         (r"\b(risky|riskier|more risk\w*|higher risk)\b", 3.0),
         (r"\b(liver|kidney|heart|elderly|older|children|kids|child|drive|driving|machinery|surgery|allerg\w*)\b", 1.5)),
        faq=r"alcohol|pregnan|breast|drive|safe|interact",
        label="Precautions",
    ),
    # What a monograph never covers: price and insurance, what the pill looks or tastes like,
    # who makes it, its history, recalls, its inactive ingredients. Asked about a known medicine,
    # the honest answer is no_match naming it (not a dosage passage for "how much does it cost").
    Intent(
        "out_of_scope",
        (),
        ((r"\b(cost|costs|price|prices|priced|pricing|expensive|cheap|cheaper|afford\w*|copay|co pay|coupon|discount)\b", 6.0),
         (r"\b(insurance|insured|medicare|medicaid|formulary|tier)\b", 6.0), (r"\bcovered by\b", 6.0),
         (r"\bhow much (is|are|for) (a|one|the|my)? ?(month|bottle|box|pack|supply|prescription|refill)\b", 6.0),
         (r"\b(look|looks) like\b|\b(shape|imprint|flavou?r|flavou?red)\b", 6.0),
         (r"\b(look|looks|looked|looking) (different|weird|strange|new|diff)\b", 6.0),  # the pill's appearance
         (r"\b(what|which) colou?r (is|are|should)\b|\bcolou?r (is|are|of) (the|a|my|it|they|this|these)\b ?"
          r"(pills?|tablets?|capsules?|liquid|medicine|medication|injection|solution|cream|drops|it|they|$)", 6.0),
         (r"\bwho (makes|made|manufactures|invented|discovered)\b|\b(manufacturer|made by|company that makes)\b", 6.0),
         (r"\b(invented|discovered|history of)\b|\bwhat year\b", 6.0), (r"\brecall(ed|s)?\b", 6.0),
         (r"\b(gluten|lactose|gelatin|gelatine|vegan|vegetarian|halal|kosher|dairy free)\b", 6.0),
         (r"\bpronounce\w*|\bpronunciation\b", 6.0)),
        label="Not in the monographs",
    ),
    Intent(
        "about",
        ("usage", "how_it_works", "overview"),
        ((r"^\W*(tell me (more )?about|info(rmation)? (on|about)|what (is|are)|describe|explain)\b", 1.0),
         # what a medicine is: "what kind of drug is gabapentin", "what class is metoprolol in"
         (r"\b(what|which) (kind|type|class|sort|group|family|category)s? (of )?(drug|medicine|medication|med|pill)?", 3.0),
         # "is oxycodone an opiate?", "is xanax a benzo": is it of this class (a short question)
         (r"^\W*(is|are) (?!(it|that|this|there|he|she|they|these|those|i|you|we)\b)([\w-]+ ){1,3}(a|an) "
          r"[\w-]+( [\w-]+)?\W*$", 2.0)),
        label="Overview",
    ),
)

INTENT_BY_NAME = {i.name: i for i in INTENTS}


# informal spellings → the words the patterns expect
_INFORMAL = [
    (r"\bwhats\b", "what is"), (r"\bhows\b", "how is"), (r"\bwhens\b", "when is"), (r"\bu\b", "you"),
    (r"\bur\b", "your"), (r"\bwat\b", "what"), (r"\br\b", "are"), (r"\bpls\b|\bplz\b", "please"),
    (r"\bside affects?\b", "side effects"), (r"\bmeds\b", "medicines"),
]


_INFORMAL_COMPILED = tuple((GatedPattern(p), rep) for p, rep in _INFORMAL)  # most questions have none of them
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def normalize_question(question: str) -> str:
    q = _NOT_WORD.sub(" ", question.lower().replace("'", "").replace("\u2019", "")).strip()
    for pat, rep in _INFORMAL_COMPILED:
        q = pat.sub(rep, q)
    return f" {q} "


@lru_cache(maxsize=1)
def _every_pattern() -> PatternSet:
    return PatternSet([p for intent in INTENTS for p, _ in intent._compiled])


def patterns_that_may_match(q: str) -> frozenset[re.Pattern] | None:
    """The intents' patterns that may match the normalised question `q` (regex_needs: each
    pattern needs one of a few strings; most questions hold the strings of few patterns), or
    None (any may: the strings are not worked out for a process's first questions)."""
    return _every_pattern().may_match(q)


def detect(question: str) -> Intent | None:
    return detect_scored(question)[0]


def detect_scored(question: str, exclude: frozenset[str] = frozenset()) -> tuple[Intent | None, float]:
    """The heaviest intent (not one of `exclude`) and its weight (0 when nothing matched)."""
    q = normalize_question(question)
    may_match = patterns_that_may_match(q)
    # the patterns found, each searched once (most intents have none: no sum to make)
    found = frozenset(p for p in may_match if p.search(q)) if may_match is not None else None
    best, best_score = None, 0.0
    for intent in INTENTS:
        if intent.name in exclude:
            continue
        if found is not None and found.isdisjoint(intent._pattern_set):
            continue
        s = intent.score(q, found)
        if s > best_score:
            best, best_score = intent, s
    return best, best_score


STRONG = 3.0  # an intent this heavy is clear enough to search every monograph without a medicine


# intents that only a specific medicine's page can answer ("what if I miss a dose?")
MEDICINE_SPECIFIC = frozenset({"missed_dose", "storage", "stopping", "addiction", "onset", "dosage", "overdose"})


# what "stop" stops when it is the medicine: a pronoun, "taking", the medicine's words
_STOP_OBJECT = re.compile(r"\b(?:stop|stopping|stopped|quit|quitting)\s+(?:(?:the|my|her|his|their|your|a)\s+)?([a-z]+)")
MEDICINE_OBJECTS = frozenset("""it them this that these those taking using giving all now
    suddenly abruptly cold completely altogether treatment medication medications medicine medicines meds pills
    tablets dose doses""".split())


def stops_something_else(question: str, medicine_words: set[str]) -> bool:
    """Does every "stop"/"quit" of the question stop something other than the medicine ("to stop
    heartburn", "quit smoking")? Medicine names are `medicine_words`; no object ("can I stop?") is
    the medicine."""
    objects = [m.group(1) for m in _STOP_OBJECT.finditer(normalize_question(question))]
    return bool(objects) and all(o not in MEDICINE_OBJECTS and o not in medicine_words and not _slip_of_object(o)
                                 for o in objects)


def _slip_of_object(word: str) -> bool:
    """A mistyped "taking", "using", "medication" ("takin", "tking"): one slip from one of them."""
    from rapidfuzz.distance import DamerauLevenshtein

    return len(word) >= 5 and any(len(o) >= 5 and DamerauLevenshtein.distance(word, o, score_cutoff=1) <= 1
                                  for o in MEDICINE_OBJECTS)
