"""Is this message an emergency? Reviewed rules, grouped by what the person means.

The emergency answer is the one that must never be missed, and the one that must not fire on
ordinary questions that use alarming words ("can diazepam slow your breathing?", "what is the
maximum dose?"). So the rules look for *what is meant*, not for a word:

- ``overdose_taken``   an overdose taken: a past or ongoing intake ("took", "swallowed",
                       "have been taking") with an excessive amount ("20 of", "double",
                       "the whole bottle", "way too much"), or "I overdosed".
- ``overdose_planned`` an overdose about to be taken ("going to take all my …").
- ``lethal_request``   a request for a lethal or harmful amount or way ("how many … would kill
                       me", "a lethal dose of", "enough to die", "quickest way to overdose").
- ``suicidal``         suicidal statements, direct or indirect ("I want to end it all",
                       "sleep and not wake up", "better off without me", saving up pills).
- ``self_harm``        self-harm statements ("I cut myself").
- ``child_ingestion``  a child or pet that swallowed, ate, drank or got into a medicine.
- ``acute_symptoms``   a medical emergency happening now: trouble breathing, swelling of lips,
                       tongue, throat or face, unresponsive or collapsed, a seizure, chest pain,
                       bleeding that won't stop, poisoning.

Statements are told from general questions by their shape: a rule marked ``statement`` does
not fire on words that a general question about a medicine leads up to ("does lisinopril cause
lip swelling?", "can tramadol cause seizures?"; but "my lips are swelling, is that normal?"
fires), and the intake rules need a past or ongoing
intake, never "can I take" or "is taking too much … bad".

Messages are written the way people type: lowercase, no apostrophes, contractions ("cant",
"im"), number words, and misspellings. Each clause is normalised (contractions expanded,
number words to digits) and words that are no known word are corrected to the rules' own
vocabulary when one edit away (two in long words), so "swalowed", "sweling" and "takin" count.

`check()` returns the first rule that fired (family, rule name, the words that fired it) for
`--explain`, or None.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from .regex_needs import GatedPattern

SCAN_CHARS = 8000  # a long message is read this far for emergencies (further than a question)


@dataclass(frozen=True)
class Trigger:
    """Why a message is an emergency: the rule that fired and the words that fired it."""

    family: str
    rule: str
    words: str


@dataclass(frozen=True)
class Rule:
    family: str
    name: str
    pattern: str
    statement: bool = False  # only in a clause that is not a general question


# -- vocabulary fragments (regular expressions over normalised text) -------------------------

_NUM = r"(?:[5-9]|[1-9]\d{1,3})"  # five pills or more (two is a dose; "at 10" is a time, see below)
_UNIT_AFTER = (r"(?!\s*(?:mg|mcg|ug|g|ml|units?|iu|milligrams?|micrograms?|grams?|hours?|hrs?|minutes?|mins?|"
               r"days?|weeks?|months?|years?|yrs?|am|pm|oclock|percent|times a|x a)\b)")
_MANY = rf"(?<!\bat )(?<!\baround )(?<!\babout )(?<!\bby )(?<!\bsince )(?<!\buntil )(?<!\bafter )\b{_NUM}\b{_UNIT_AFTER}"
_CONTAINER = r"(?:bottle|pack|packet|box|strip|blister|sheet|tube|container|jar|supply|prescription|week|month|patch|vial|pen)s?"
_NOT_A_SCHEDULE = r"(?! (?:a|per|each|every|in a) (?:day|week|night|month)| daily| weekly)"  # "twice a day" is a dose
_EXCESS = (
    rf"(?:(?:way |far |much )?too (?:much|many)|double|(?:twice|thrice|[3-9] times|\d\d times){_NOT_A_SCHEDULE}"
    r"|two doses|2 doses|triple|an extra dose|extra doses"
    rf"|(?:a |the |my |his |her |their )?(?:whole|hole|full|entire) {_CONTAINER}"  # "hole": the homophone people type
    rf"|half (?:a |the |my |his |her )?{_CONTAINER}"
    r"|(?:a )?(?:bunch|handful|lot|lots|load|loads|ton|pile|fistful) of|all (?:of )?(?:my|his|her|their|the|them|those|these)\b"
    r"|several (?:pills|tablets|capsules|doses|of)|more than (?:prescribed|i should|he should|she should|the max\w*|recommended)"
    rf"|on purpose|intentionally|{_MANY})"
)
# taking a medicine (not food or drink: "I ate too much" is not an overdose; see _FOOD_INTAKE)
_WHO = r"(?:i|he|she|they|we|my \w+(?: \w+)?|our \w+|a friend|someone|somebody)"
# ongoing intake needs a subject: "I have been taking 10 a day", not "is taking too much … bad?"
_ONGOING = rf"{_WHO} (?:am|is|are|was|were|have been|has been|had been|been|keep|kept)"
_INTAKE_PAST = (r"(?:took|taken|swallowed|injected|popped|snorted|chewed|downed|"
                rf"{_ONGOING} (?:taking|swallowing|popping))")
_FOOD_INTAKE = rf"(?:ate|eaten|drank|drunk|{_ONGOING} (?:eating|drinking))"
_CHILD = (r"(?:baby|babies|toddler|infant|newborn|kid|kids|child|children|son|daughter|grandson|granddaughter|"
          r"grandchild|grandkid|grandkids|nephew|niece|boy|girl|little one|(?:my|our|a|the|his|her) \d+ (?:year|month|week)s?(?: old)?|"
          r"dog|puppy|cat|kitten|pet)")
_CHILD_INGEST = (r"(?:ate|eaten|eating|swallowed|swallowing|drank|drunk|drinking|got into|gotten into|getting into|"
                 r"chewed|chewing|licked|licking|bit into|sucked on|sucking on|found and took|took some|"
                 r"(?:may|might|could) have (?:eaten|swallowed|taken|had|drunk))")
# what a child swallowing their own dose says (not an emergency): "swallowed her pill whole"
_OWN_DOSE = r"(?:his|her|their) (?:own )?(?:dose|doses|medicine|medicines|medication|meds|pill|pills|tablet|tablets|vitamin|vitamins)"
_MEDICINE_CUE = (r"(?:some of|one of|a few|few of|bunch|handful|several|\d+ of|\d+ (?:pills|tablets)|pills?|tablets?|"
                 r"capsules?|patch|patches|syrup|bottle|medicine|medication|meds|drugs?|gummies|gummy|vitamins?|"
                 r"\bmy\b|grandma|grandpa|granny|nana|\bmom s|\bdad s|the rest|"
                 # what else poison centres see children swallow most, as deadly as a medicine
                 r"battery|batteries|magnet|magnets|detergent|laundry pods?|bleach|antifreeze|lamp oil|lighter fluid|"
                 r"e ?liquid|vape juice|nicotine)")

RULES: tuple[Rule, ...] = (
    # -- an overdose taken or about to be taken
    Rule("overdose_taken", "overdosed", rf"\b(?:{_WHO}|^) ?(?:think |just |might have |may have |have |has |had )?"
                                        r"(?:overdosed|overdosing|od d|odd|oded)\b"  # "od'd" loses its apostrophe
                                        r"|(?<!\byou )(?<!\bif )(?<!\bwhen )\boverdosed on\b"),
    Rule("overdose_taken", "overdose on (a report)", r"^(?:help )?(?:an )?overdos\w* on\b"),
    Rule("overdose_taken", "intake of too much", rf"\b{_INTAKE_PAST}\b(?: \w+){{0,6}}? {_EXCESS}"),
    Rule("overdose_taken", "ate or drank too much medicine",
         rf"\b{_FOOD_INTAKE}\b(?: \w+){{0,6}}? {_EXCESS}(?: \S+){{0,6}}? ?{_MEDICINE_CUE}"),
    Rule("overdose_taken", "intake then amount", rf"\b{_INTAKE_PAST} (?:like |about |around |maybe |nearly |almost |over )?{_MANY}"),
    Rule("overdose_planned", "about to take too much",
         r"\b(?:going to|about to|will|want to|wanna|plan to|planning to|gonna|ready to|thinking about|thinking of)"
         r" (?:take|taking|swallow|swallowing|down|downing|overdose|overdosing|od)\b(?: \w+){0,3}?"
         rf" (?:all|every|the whole|the entire|the rest|the bottle|{_MANY}|a bunch|a handful|on)\b"),
    # -- a lethal or harmful amount or way
    Rule("lethal_request", "lethal dose", r"\b(?:lethal|fatal|deadly|toxic|killing|overdose) (?:dose|doses|amount|quantity|number|level)\b"),
    Rule("lethal_request", "amount that kills",
         r"\b(?:how (?:many|much)|what (?:dose|amount|number|quantity)|is \d+|are \d+|would \d+|will \d+|\d+ of)\b.{0,60}?"
         r"\b(?:kill (?:me|myself|someone|a person|you|him|her|them|a human)|(?:to|and|i d|i would|you d|you would) die\b"
         r"|be (?:fatal|lethal|deadly)|is (?:fatal|lethal|deadly)|are (?:fatal|lethal|deadly)|(?:never|not) wake|to overdose|to od)"),
    Rule("lethal_request", "enough to die", r"\benough (?:\w+ )?to (?:die|kill|end it|never wake|not wake|overdose)\b"),
    Rule("lethal_request", "way to die",
         r"\b(?:quickest|fastest|easiest|best|surest|painless|simplest|quietest) (?:way|method|ways|methods) to "
         r"(?:die|overdose|od|kill|end (?:it|my life))\b|\bhow (?:to|do i|can i|could i|would i|should i) "
         r"(?:overdose|od|kill myself|end my life|die)\b"),
    # -- suicidal and self-harm statements
    Rule("suicidal", "wants to die",
         r"\b(?:want|wanna|going|ready|planning|plan|trying|tried|wish|decided|about) to (?:die|kill myself|end (?:it|it all|my life|"
         r"everything|things|this)|take my (?:own )?life|not (?:be here|wake|exist|live|be alive)|disappear forever)\b"
         r"|\bwish i (?:was|were) dead\b|\bwish i (?:could|would) (?:die|not wake)"
         r"|\bwant (?:it all|everything|it|this|my life) to (?:end|stop|be over)\b"),
    Rule("suicidal", "end my life", r"\b(?:kill(?:ing)? myself|end(?:ing)? my (?:own )?life|take my (?:own )?life|end(?:ing)? it all)\b"),
    Rule("suicidal", "better off without me",
         r"\bbetter off (?:dead|without me|if i (?:was|were) (?:gone|dead))\b|\b(?:no|not any) (?:reason|point) (?:to|in) "
         r"(?:live|living|going on|being here)\b"),
    Rule("suicidal", "does not want to live",
         r"\b(?:do not|dont|no longer|not) (?:want|wanna) to (?:be here|live|be alive|wake up|exist|go on|be around|keep going)\b"
         r"|\b(?:cannot|can not) (?:go on|take (?:it|this) anymore|do this anymore)\b"),
    Rule("suicidal", "not wake up",
         r"\b(?:sleep|go to sleep|fall asleep|close my eyes) and (?:not|never) wake\b|\b(?:never|not) wake up again\b"
         r"|\bso (?:that )?i (?:do not|dont|will not|wont|never|can not|cannot) (?:have to )?(?:feel|wake|be here|exist)\b"),
    Rule("suicidal", "feels suicidal",
         r"\b(?:i am|i feel|i felt|feeling|i have been|been feeling|been|making me(?: feel)?|made me(?: feel)?|i get|getting)"
         r" (?:so |really |very |pretty |kind of |kinda |a bit |quite )?suicidal\b"
         r"|\b(?:i have|i had|i keep having|been having|having|i get) (?:\w+ )?(?:suicidal thoughts|thoughts of (?:suicide|dying|"
         r"killing myself|ending (?:it|my life)|hurting myself))\b"
         r"|\b(?:thinking|thought|think) (?:about|of) (?:suicide|killing myself|ending (?:it|my life|things)|dying|overdosing|"
         r"taking (?:them|it|all))\b"),
    Rule("suicidal", "saving pills", r"\b(?:saving|saved|collecting) (?:up )?(?:my |all my |all of my )?"
                                     r"(?:pills|tablets|meds|medication|medicine|medicines|prescriptions?)\b"
                                     r"|\b(?:stockpiling|stockpiled|hoarding|hoarded) (?:up )?(?:my|all my|all of my|all)\b"),
    Rule("suicidal", "suicide plan", r"\bsuicide (?:plan|note|attempt|letter)\b|\b(?:attempt|attempted|commit|committing) suicide\b"
                                     r"|\bgoodbye (?:letter|note)s?\b"),
    Rule("self_harm", "hurts self",
         r"\b(?:cut|cutting|hurt|hurting|harm|harming|burn|burned|burnt|burning|injure|injured|injuring|stab|stabbed|stabbing) myself\b"
         r"|\b(?:i|been|started|keep) (?:\w+ )?self harm\w*|\burge to (?:cut|hurt|harm)\b"),
    # -- a child or a pet that swallowed a medicine
    # a medicine named anywhere in the clause ("found my patch and was sucking on it"), not the child's own dose
    Rule("child_ingestion", "child swallowed",
         rf"^(?=.*\b{_MEDICINE_CUE})(?!.*{_CHILD_INGEST} {_OWN_DOSE}).*?\b{_CHILD}\b(?: \w+){{0,8}}? {_CHILD_INGEST}\b"),
    Rule("child_ingestion", "child got into", rf"\b{_CHILD}\b(?: \w+){{0,8}}? (?:got|gotten|getting) into\b"),
    # by accident, even of the child's own medicine ("accidentally took 2 of his adhd pills")
    Rule("child_ingestion", "child took by accident",
         # (not a pill swallowed whole, or chewed: how the dose went down, not how much)
         rf"^(?!.*\b(?:whole|chewed|crushed)\b)(?:.*?\b{_CHILD}\b(?: \w+){{0,6}}? (?:accidentally|mistakenly) "
         rf"(?:took|taken|swallowed|ate|eaten|had|drank|got)\b"
         rf"|.*?\b{_CHILD}\b(?: \w+){{0,6}}? (?:took|swallowed|ate|had|drank)\b(?: \w+){{0,8}}? by (?:accident|mistake)\b)"),
    # -- a medical emergency happening now
    Rule("acute_symptoms", "cannot breathe",
         r"\b(?:cannot|can not|could not|couldnt|struggling to|trouble|difficulty|hard to|unable to|not|stopped|stopping|barely|hardly|can hardly|can barely)"
         r" breath\w*|\bbreathing (?:is |feels |seems |has |got |getting |went |sounds )?(?:\w+ )?(?:slow|slowed|shallow|weird|"
         r"strange|funny|labou?red|hard|difficult|heavy|irregular|rattly|gurgling)\b|\bgasping for (?:air|breath)\b"
         r"|\b(?:i am|im|i m|i feel|feeling|getting|he is|she is) (?:very |really |so )?short of breath\b|\bturning blue\b"
         r"|\b(?:lips|face|skin|fingers) (?:are |is |turning |went |look |looks )?(?:blue|purple|grey|gray)\b", statement=True),
    Rule("acute_symptoms", "swelling",
         r"\b(?:lips?|tongue|throat|face|mouth|eyelids?|eyes) (?:is |are |feel |feels |getting |started |starting |has |have |keeps? )?"
         r"(?:\w+ )?(?:swelling|swollen|swelled|puffing up|puffed up|tight|tightening|closing|closing up|blowing up)\b"
         r"|\b(?:swelling|swollen) (?:of |in )?(?:my|his|her|their) (?:lips?|tongue|throat|face|mouth)\b", statement=True),
    Rule("acute_symptoms", "unresponsive",
         r"\b(?:unresponsive|not responding|not responsive|wont wake|will not wake|cannot wake|can not wake|not waking|"
         r"hard to wake|difficult to wake|impossible to wake|passed out|collapsed|unconscious|keeps passing out|"
         r"barely (?:awake|conscious|keep (?:my|his|her|their) eyes open))\b", statement=True),
    Rule("acute_symptoms", "seizure",
         r"\b(?:having|had|is having|has had|started having|just had) (?:a |another )?(?:seizure|seizures|fit|convulsion|convulsions)\b"
         r"|\b(?:seizing|convulsing)\b", statement=True),
    Rule("acute_symptoms", "chest pain",
         r"\b(?:i am having|im having|having|i have|i ve got|ive got|i got|getting|now|bad|severe|crushing|sudden|with)"
         r" (?:bad |severe |crushing |sudden |sharp )?chest (?:pain|pains|tightness)\b", statement=True),
    Rule("acute_symptoms", "bleeding",
         r"\b(?:will not|wont|does not|doesnt|cannot|can not|not) stop(?:ped)? bleeding\b|\bbleeding (?:will not|wont|that will not|"
         r"does not|doesnt|that does not|that doesnt|is not|isnt) stop|\b(?:vomiting|throwing up|coughing up|puking) blood\b"
         r"|\bbleeding (?:heavily|a lot|badly|everywhere)\b", statement=True),
    Rule("acute_symptoms", "allergic reaction",
         r"\b(?:having|i am having|im having|think i m having|think im having|is having|going into)"
         r" (?:a |an )?(?:severe |bad |serious )?(?:allergic reaction|anaphyla\w+)\b|\bhives all over\b", statement=True),
    Rule("acute_symptoms", "pulse",
         r"\b(?:pulse|heart rate|heartrate|heart beat|heartbeat) (?:is |of |at |down to |went to |dropped to )?"
         r"(?:[1-3]\d|1[6-9]\d|2\d\d)\b(?! (?:years?|mg))", statement=True),
    Rule("acute_symptoms", "poisoned",
         rf"\b{_WHO} (?:was |were |is |am |has been |have been |got |think (?:i|he|she|they) (?:was |were |am |is |are |have been )?)?"
         r"poisoned\b|\bcall(?:ing)? poison control\b", statement=True),
)

# Asking in general what a medicine can do ("does lisinopril cause lip swelling") is a question
# for the monographs: a statement rule is not fired by words that such a question precedes.
_GENERAL_QUESTION = re.compile(
    r"\b(?:can|could|does|do|did|will|would|might|may|is|are|should|why|how come|what)\b.*"
    r"\b(?:cause|causes|causing|make|makes|give|gives|lead to|leads to|result in|side effects?|risk|risks|possible|common"
    r"|normal|symptoms?|signs?|sign of|mean|happen|happens|if)\b"
)

# -- normalisation -----------------------------------------------------------------------------

_CONTRACTIONS = {
    "im": "i am", "ive": "i have", "id": "i d", "cant": "cannot", "dont": "do not", "doesnt": "does not",
    "didnt": "did not", "wont": "will not", "isnt": "is not", "arent": "are not", "wasnt": "was not",
    "couldnt": "could not", "shouldnt": "should not", "wouldnt": "would not", "hes": "he is", "shes": "she is",
    "theyre": "they are", "youre": "you are", "gonna": "going to", "wanna": "want to", "u": "you", "ur": "your",
    "yr": "year", "yrs": "year", "yo": "year", "mos": "month", "mo": "month", "pls": "please", "plz": "please",
}
_NUMBER_WORDS = {
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "fifteen": "15", "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "hundred": "100",
    "dozen": "12",
}
_CLAUSE_SPLIT = re.compile(r"[.!?;:\n,]+|\bbut\b")
_WORD = re.compile(r"[a-z0-9]+")


def _literals(pattern: str) -> tuple[str, ...]:
    return tuple(set(re.findall(r"[a-z]{3,}", re.sub(r"\\[a-zA-Z]", " ", pattern))))


@lru_cache(maxsize=1)
def _gates() -> tuple[tuple[Rule, tuple[str, ...]], ...]:
    """Each rule with the words it is written with: every match of a rule holds one of them,
    so a rule whose words are all absent from a clause need not run (nor be compiled: the
    rules take ~0.1 s to compile, a cost an ordinary question should not pay at start-up)."""
    return tuple((r, _literals(r.pattern)) for r in RULES)


@lru_cache(maxsize=1)
def _gate_words() -> tuple[frozenset[str], int, int]:
    """Every rule's words, and their shortest and longest lengths."""
    words = frozenset(w for _, ws in _gates() for w in ws)
    return words, min(map(len, words), default=1), max(map(len, words), default=0)


def _gate_words_in(clause: str) -> set[str]:
    """The rules' words that `clause` holds (`w in clause` for each, answered at once). A rule
    word is letters only and a clause is words between single spaces, so each one it holds lies
    inside one of its words: those words' pieces are looked up, not every rule word."""
    words, shortest, longest = _gate_words()
    found = set()
    for token in set(clause.split(" ")):
        n = len(token)
        for i in range(n - shortest + 1):
            for j in range(i + shortest, min(n, i + longest) + 1):
                if token[i:j] in words:
                    found.add(token[i:j])
    return found


@lru_cache(maxsize=None)
def _pattern(rule: Rule) -> GatedPattern:
    """The rule's pattern, which also skips, once searched a few times, the clauses that lack
    every string its matches hold (regex_needs: fewer and rarer than the rule's words)."""
    return GatedPattern(rule.pattern)


@lru_cache(maxsize=1)
def _rule_words() -> frozenset[str]:
    """The words the rules are written with: the targets of typo correction."""
    return frozenset(w for r in RULES for w in re.findall(r"[a-z]{4,}", re.sub(r"\\[a-zA-Z]", " ", r.pattern)))


def _correct(word: str, known: frozenset[str]) -> str:
    """A misspelt rule word ("swalowed", "sweling", "takin") → the word; others unchanged.

    Only words that are neither rule words nor known words are corrected, one edit away
    (two in words of eight letters or more), keeping the first letter."""
    vocab = _rule_words()
    if len(word) < 4 or word in vocab or word in known or word.isdigit():
        return word
    from rapidfuzz.distance import OSA

    limit = 1 if len(word) < 8 else 2
    best, best_key = word, (limit + 1,)
    for v in vocab:
        if v[0] == word[0] and abs(len(v) - len(word)) <= limit:
            d = OSA.distance(word, v, score_cutoff=limit)
            # ties: the same last letter, then the longer word (typing drops letters: "swallowd")
            key = (d, v[-1] != word[-1], -len(v), v)
            if d <= limit and key < best_key:
                best, best_key = v, key
    return best


def normalise_clause(clause: str, known: frozenset[str] = frozenset()) -> str:
    words = []
    for w in _WORD.findall(clause):
        w = _NUMBER_WORDS.get(w, w)
        w = _CONTRACTIONS.get(w) or _correct(w, known)
        words.append(w)
    return " ".join(words)


# after "amoxicillin 500", words that make the number a count of pills, not the tablet's strength
_COUNT_NEXT = frozenset("of pills pill tablets tablet caps capsules more doses times x".split())


def without_strengths(clause: str, is_name: Callable[[str], bool]) -> str:
    """"i am taking amoxicillin 500 for a tooth infection": a number right after a medicine's
    name is its strength (people leave out "mg"), not a count of pills; it is dropped unless
    a count word follows ("tylenol 30 of them", "advil 20 pills")."""
    words = clause.split(" ")
    out = []
    for i, w in enumerate(words):
        if w.isdigit() and i > 0 and is_name(words[i - 1]) and (i + 1 == len(words) or words[i + 1] not in _COUNT_NEXT):
            continue
        out.append(w)
    return " ".join(out)


def clauses(message: str, known: frozenset[str] = frozenset(), is_name: Callable[[str], bool] | None = None) -> list[str]:
    text = message[:SCAN_CHARS].lower().replace("\u2019", "'").replace("'", "")
    out = [c for c in (normalise_clause(part, known) for part in _CLAUSE_SPLIT.split(text)) if c]
    return [without_strengths(c, is_name) for c in out] if is_name is not None else out


def check(message: str, known_words: frozenset[str] = frozenset(),
          is_name: Callable[[str], bool] | None = None) -> Trigger | None:
    """The emergency rule that fires on `message`, or None. `known_words` (the corpus's
    vocabulary) are never taken for misspellings of the rules' words; `is_name` says whether a
    word names a medicine (see `without_strengths`)."""
    if not isinstance(message, str) or not message.strip():
        return None
    for clause in clauses(message, known_words, is_name):
        held = _gate_words_in(clause)
        for rule, words in _gates():
            if held.isdisjoint(words):
                continue
            m = _pattern(rule).search(clause)
            if m and not (rule.statement and _GENERAL_QUESTION.search(clause, 0, m.end())):
                return Trigger(rule.family, rule.name, m.group(0).strip())
    return None


def is_emergency(message: str, known_words: frozenset[str] = frozenset()) -> bool:
    return check(message, known_words) is not None
