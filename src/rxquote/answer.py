"""A question (and the conversation before it) → an Answer: verbatim passages or a status.

Pipeline: safety check → medicine resolution (question, else the conversation's focus) →
intent → candidates (the medicine's chunks, or every chunk sharing a query term) → BM25 from
rank-bm25's statistics, plus explainable bonuses for the wanted section, the matching FAQ
question and the medicine's own page → a relevance floor, so nothing unrelated pads the list.
Nothing here writes prose about medicines: passages are chunk texts as indexed, messages are
fixed strings.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from . import intents
from .corpus import SECTION_LABELS, SECTIONS, Chunk, split_ingredients
from .drugs import Mention, normalize
from .index import Index, Progress, ensure

STATUSES = ("answered", "no_match", "unknown_drug", "emergency", "clarify")

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
CLARIFY_MESSAGE = (
    "Which medicine do you mean? Name it in your question, for example: "
    "\"what are the side effects of diazepam?\""
)
UNKNOWN_DRUG_MESSAGE = "{names} {verb} not among the medicines in these monographs."
UNKNOWN_SUGGEST = " Closest indexed names: {names}."

MAX_QUESTION_CHARS = 2000  # a question is read up to here; the rest is ignored

# bonuses added to the normalised BM25 score (0..1); see `Candidate`
W_SECTION = 2.0
W_FAQ = 2.5
W_DRUG = 1.5
W_OWN_PAGE = 1.2
RELATIVE_FLOOR = 0.5  # passages below this share of the best final score are dropped
# Words that say what is asked, not about what: they never make a question "specific".
GENERIC = frozenset(
    """tell know about information info medicine medicines medication medications drug drugs pill pills
    tablet tablets capsule capsules take taking taken takes use used using uses can could would should
    will may might please thanks thank ok okay need want get gets give giving much many often day days
    daily time times doctor side effects effect dose doses dosage dosing work works working worked
    safe safely safety happen happens stop stopping store storage storing keep missed miss forget
    forgot does do did make makes way right good bad best better normal also really still whats hows
    you your yours me my mine i im it its cause causes common long risk risks thing things kind type
    treat treats treatment used for like much""".split()
)


# "is it safe?", "how do I take them?": the question is about a medicine it does not name
_PRONOUN = re.compile(r"\b(it|its|this|that|these|those|them|they)\b|\bmy (medicine|medication|pills?|tablets?|meds)\b", re.I)


# "and for children?", "what about in the elderly?": the question goes on from the last one
_ELLIPTICAL = re.compile(r"^\W*(and|but|also|what about|how about|what of|same|even)\b", re.I)


# Everyday words → the stems monographs use for them (stems of the project's analyzer).
# Added to the question's tokens, so "pregnant" finds "pregnancy" and "kids" finds "children".
EXPANSIONS = {
    "pregnant": ("pregnanc",), "pregnanc": ("pregnant",), "breastfeed": ("lactat", "breast"),
    "nurs": ("breastfeed", "lactat"), "kid": ("children", "child", "pediatr"), "child": ("children", "pediatr"),
    "children": ("child", "pediatr"), "toddler": ("children", "pediatr"), "babi": ("infant", "children"),
    "elder": ("older",), "senior": ("older", "elder"), "older": ("elder",), "booz": ("alcohol",),
    "drink": ("alcohol",), "beer": ("alcohol",), "wine": ("alcohol",), "sleepi": ("drowsi",), "tire": ("fatigu",),
    "tummi": ("stomach", "abdomin"), "kidney": ("renal",), "liver": ("hepat",), "fat": ("weight",),
    "dose": ("dosag",), "dosag": ("dose",), "throw": ("vomit",), "puke": ("vomit",), "pee": ("urin",), "poop": ("stool", "bowel"),
}


def expand(tokens: list[str]) -> list[str]:
    extra = [e for t in tokens for e in EXPANSIONS.get(t, ()) if e not in tokens]
    return tokens + list(dict.fromkeys(extra))


_COMPARE = re.compile(r"\b(difference|differ\w*|compare\w*|versus|vs|or|better|instead)\b", re.I)


@dataclass(frozen=True)
class Passage:
    rank: int
    score: float
    drug: str
    section: str
    heading: str
    title: str
    source: str
    start_line: int
    end_line: int
    text: str
    # the chunk the passage was cut from (the whole section for its medicine, or the FAQ pair):
    # start_line..end_line lies inside it, so a reader can expand the quote to its context
    section_start_line: int = 0
    section_end_line: int = 0

    @property
    def section_label(self) -> str:
        return SECTION_LABELS.get(self.section, self.section)


@dataclass(frozen=True)
class Answer:
    question: str
    status: str
    drugs: tuple[str, ...]
    message: str | None
    passages: tuple[Passage, ...]
    disclaimer: str = DISCLAIMER
    id: object = None
    intent: str | None = None
    explain: dict | None = field(default=None, compare=False)

    def to_json(self) -> dict:
        """The SPEC's `ask --json` object."""
        return {
            "id": self.id,
            "question": self.question,
            "status": self.status,
            "drugs": list(self.drugs),
            "message": self.message,
            "passages": [asdict(p) for p in self.passages],
            "disclaimer": self.disclaimer,
        }


@dataclass
class Context:
    """What the conversation so far is about."""

    drugs: tuple[str, ...] = ()
    intent: intents.Intent | None = None


class Engine:
    """Answers questions from one loaded index. Thread-safe for reading."""

    def __init__(self, index: Index, corpus: Path | None = None):
        self.index = index
        self.corpus = corpus
        self._section = index.section_ids
        self._disclaimer_id = SECTIONS.index("disclaimer")
        self._n = index.size

    def _knows(self, name: str) -> bool:
        return self.index.knows(name)

    def _chunks_of(self, name: str) -> np.ndarray:
        """Chunks about a medicine: its own sections and its combination pages' shared text."""
        return self.index.chunks_about(name)

    # -- construction ------------------------------------------------------------------
    @classmethod
    def open(cls, corpus: Path, index_dir: Path, progress: Progress | None = None) -> "Engine":
        idx, _ = ensure(corpus, index_dir, progress)
        return cls(idx, corpus)

    # -- lookups for UIs ---------------------------------------------------------------
    def medicines(self) -> list[str]:
        """Indexed medicines (ingredients and single-medicine pages), sorted."""
        return self.index.medicines()

    def faq_questions(self, drug: str, limit: int = 6) -> list[str]:
        ids = self._chunks_of(drug)
        out = []
        for i in ids.tolist():
            if self.index.section_of(i) == "faq" and self.index.drug_of(i) == drug:
                q = self.index.heading_of(i)
                if q.endswith("?") and q not in out:
                    out.append(q)
        return out[:limit]

    def source_path(self, source: str) -> Path | None:
        if self.corpus is None:
            return None
        p = (self.corpus / source).resolve()
        try:
            p.relative_to(self.corpus.resolve())
        except ValueError:
            return None
        return p

    # -- conversation --------------------------------------------------------------------
    def context(self, history: list[str] | tuple[str, ...] = (), focus: list[str] | None = None) -> Context:
        """The medicine in focus (the newest question naming one) and the newest intent.

        Read newest first and stopped as soon as both are known, so a long conversation costs
        no more than its last few questions. An everyday-word medicine ("alcohol") is the focus
        only when no question names another medicine; then the first such question sets it.
        """
        ctx = Context()
        weak: tuple[str, ...] = ()
        for q in reversed(list(history)):
            if ctx.drugs and ctx.intent is not None:
                break
            if not isinstance(q, str) or intents.is_emergency(q):
                continue
            q = q[:MAX_QUESTION_CHARS]
            if ctx.intent is None:
                ctx.intent = intents.detect(q)
            if not ctx.drugs:
                mentions = self.index.drugs.find(q)
                ctx.drugs = self._names(mentions, allow_weak=False)
                weak = self._names(mentions, allow_weak=True) or weak
        if not ctx.drugs:
            ctx.drugs = weak
        if focus:
            ctx.drugs = tuple(focus)
        return ctx

    def _resolve(self, question: str, allow_weak: bool = True) -> tuple[tuple[str, ...], list[Mention]]:
        mentions = self.index.drugs.find(question)
        return self._names(mentions, allow_weak), mentions

    def _names(self, mentions: list[Mention], allow_weak: bool) -> tuple[str, ...]:
        """Corpus medicines among the mentions. Everyday words that are also medicines
        ("alcohol", "zinc") count only when nothing else is named or in focus."""
        chosen = [m for m in mentions if m.drug and m.how != "weak"]
        if not chosen and allow_weak and not any(not m.drug for m in mentions):
            chosen = [m for m in mentions if m.drug]
        names: list[str] = []
        for m in chosen:
            if m.drug not in names and self._knows(m.drug):
                names.append(m.drug)
        # "Diazepam + Imipramine" named beside its ingredients: the ingredients say it
        named = {normalize(n) for n in names}
        return tuple(n for n in names if not (" + " in n and {normalize(i) for i in split_ingredients(n)} <= named))

    # -- answering -----------------------------------------------------------------------
    def resolve_names(self, text: str) -> tuple[str, ...]:
        """The corpus medicines a text names ("I take Zoloft and metoprolol" → Sertraline, Metoprolol)."""
        return self._resolve(text[:MAX_QUESTION_CHARS])[0]

    def ask(self, question: str, history=(), top_k: int = 3, focus: list[str] | None = None,
            explain: bool = False, id=None, medicines: list[str] | None = None) -> Answer:
        question = question if isinstance(question, str) else str(question)
        q = question[:MAX_QUESTION_CHARS]
        top_k = max(1, min(int(top_k), 50))
        # the person's own medicines ("my medicines"): for now, the focus when nothing else is
        ctx = self.context(list(history or ()), focus)
        if not ctx.drugs and medicines:
            ctx.drugs = tuple(m for m in medicines if self._knows(m))
        info: dict = {"tokens": [], "intent": None, "mentions": [], "focus": list(ctx.drugs), "candidates": 0, "passages": []}

        def done(status, drugs=(), message=None, passages=(), intent=None) -> Answer:
            return Answer(question, status, tuple(drugs), message, tuple(passages), DISCLAIMER, id,
                          intent.name if intent else None, info if explain else None)

        if intents.is_emergency(q):
            drugs, _ = self._resolve(q)
            return done("emergency", drugs or ctx.drugs, EMERGENCY_MESSAGE)

        named, mentions = self._resolve(q, allow_weak=not ctx.drugs)
        info["mentions"] = [{"text": m.text, "drug": m.drug or None, "how": m.how, "score": round(m.score, 1),
                             "unknown": m.unknown_name or None} for m in mentions]
        unknown = [m for m in mentions if not m.drug and m.unknown_name]
        intent, weight = intents.detect_scored(q)
        content = self.index.analyzer.content_words(q)
        base = self.index.analyzer.stems(content)  # = analyzer.tokens(q), without tokenizing twice
        tokens = expand(base)
        info["tokens"] = tokens
        drug_words = {w for m in mentions for w in normalize(m.text).split()}
        pairs = list(zip(base, content))
        asked = expand([t for t, w in pairs if w not in drug_words])  # the question without its medicine names
        topic = [t for t, w in pairs if w not in GENERIC and w not in drug_words]

        if not named and unknown:
            names = _dedupe(_display_unknown(m) for m in unknown)
            msg = UNKNOWN_DRUG_MESSAGE.format(names=_join(f"\u201c{n}\u201d" for n in names), verb="is" if len(names) == 1 else "are")
            close = _dedupe(c for m in unknown for n in (m.text, m.unknown_name) for c in self.index.drugs.closest(n))
            if close:
                msg += UNKNOWN_SUGGEST.format(names=", ".join(close[:3]))
            return done("unknown_drug", (), msg, intent=intent)

        drugs = named
        if not drugs and ctx.drugs and (intent is not None or topic or not tokens):
            drugs = ctx.drugs  # a follow-up: "what about its side effects?"
        if ctx.intent is not None and drugs and not named and _ELLIPTICAL.search(q) and weight < intents.STRONG:
            intent = ctx.intent  # "what about for kids?" after a dosage question
        elif len(named) > 1 and (intent is None or intent.name == "about"):
            # "I'm on sertraline, can I take tramadol?" is about taking them together;
            # "diazepam vs imipramine" about what each is
            intent = intents.INTENT_BY_NAME["about" if _COMPARE.search(q) else "precautions"]
        elif intent is None and named and not topic:
            # "and what about diazepam?" keeps the conversation's question; a bare name is "about"
            intent = ctx.intent or intents.INTENT_BY_NAME["about"]
        info["intent"] = intent.name if intent else None
        info["drugs"] = list(drugs)

        if drugs:
            cand = np.unique(np.concatenate([self._chunks_of(d) for d in drugs]))
        else:
            found = self._without_medicine(q, content, intent, weight, topic)
            if isinstance(found, str):
                return done(found, (), CLARIFY_MESSAGE if found == "clarify" else NO_MATCH_MESSAGE, intent=intent)
            cand = found
        cand = cand[self._section[cand] != self._disclaimer_id]
        info["candidates"] = int(cand.size)
        if cand.size == 0:
            return done("no_match", drugs, NO_MATCH_MESSAGE, intent=intent)

        scored = self._rank(cand, tokens, asked, intent, drugs, topic)
        if not scored:
            return done("no_match", drugs, NO_MATCH_MESSAGE, intent=intent)
        chunks = self.index.chunks([c for c, *_ in scored[:top_k]])
        passages = []
        for rank, (chunk, (cid, final, bm, parts)) in enumerate(zip(chunks, scored[:top_k]), 1):
            passages.append(_passage(rank, final, chunk))
            info["passages"].append({"rank": rank, "chunk": cid, "final": round(final, 3), "bm25": round(bm, 3), **parts})
        return done("answered", drugs, None, passages, intent)

    def _without_medicine(self, q: str, content: list[str], intent, weight: float, topic: list[str]):
        """Candidate chunks for a question that names no medicine, or the status to give.

        Only a clear question (a strong section intent, or a drug class such as
        "benzodiazepines") on a specific word of the monographs is searched everywhere;
        medicine-specific questions ("I missed my pill", "is it safe?") ask which medicine.
        """
        content = [w for w in content if w not in GENERIC]
        if intent is not None and (intent.name in intents.MEDICINE_SPECIFIC or _PRONOUN.search(q) or not content):
            return "clarify"
        if not content:
            return "no_match"
        bm = self.index.bm25
        rare = sorted(t for t in set(topic) if 0 < bm.doc_freq(t) <= max(3, self._n // 50))
        strong = intent is not None and intent.name != "about" and weight >= intents.STRONG
        if rare and (strong or self.index.drugs.names_class(q)):
            docs = bm.matching_docs(rare)
            if intent is not None:  # only the section that answers it: no stray mentions
                docs = docs[self._section[docs] == SECTIONS.index(intent.sections[0])]
            if docs.size:
                return docs
        return "no_match"

    def _shared_text(self, cid: int, want: set[str]) -> bool:
        """Is the chunk the shared text of a combination page naming all the wanted medicines?"""
        if len(want) < 2:
            return False
        title = self.index.title_of(cid)
        return self.index.drug_of(cid) == title and {normalize(i) for i in split_ingredients(title)} >= want

    def _rank(self, cand: np.ndarray, tokens, asked, intent, drugs, topic):
        """(chunk, final score, bm25, explanation) best first, unrelated chunks dropped.

        final = relevance + medicine bonus, where relevance = BM25 normalised to the best
        candidate (0..1) + a bonus for the section the intent wants (+ the FAQ whose question
        matches it). The floor compares relevance only: the medicine bonus, shared by every
        candidate of that medicine, must not carry an unrelated passage into the answer.
        """
        bm25 = self.index.bm25  # scores of the candidates only (= get_scores(...)[cand], bit for bit)
        bm = bm25.get_scores_for(tokens, cand) if tokens else np.zeros(cand.size)
        # relevance counts the words that say what is asked about ("suddenly", "alcohol"), not
        # everyday ones ("take", "can") that every FAQ shares; without such words the wanted
        # section alone decides ("what are the side effects of X?")
        specific = expand(topic)
        rb = bm25.get_scores_for(specific, cand) if specific else np.zeros(cand.size)
        top_rb = float(rb.max()) if rb.size else 0.0
        norm = rb / top_rb if top_rb > 0 else rb
        want = {normalize(d) for d in drugs}
        topic_scores = bm25.get_scores_for(topic, cand) if (intent is None and drugs and topic) else None
        asked_scores = bm25.get_scores_for(asked, cand) if asked else np.zeros(cand.size)
        out = []
        for j, cid in enumerate(cand.tolist()):
            section = self.index.section_of(cid)
            heading = self.index.heading_of(cid)
            parts: dict = {"section": section}
            rel = float(norm[j])
            if intent is not None and section in intent.sections:
                pos = intent.sections.index(section)
                b = W_SECTION * (1.0, 0.5, 0.3)[min(pos, 2)]
                if section == "faq":
                    if intent.faq_matches(heading):
                        b = W_SECTION + W_FAQ if pos == 0 else W_SECTION * 0.5
                    else:
                        b = 0.0 if pos == 0 else W_SECTION * 0.2
                rel += b
                parts["section_bonus"] = round(b, 2)
            if asked_scores[j] <= 0 and rel < W_SECTION:
                continue  # shares no word but the medicine's name, and is not the wanted section
            if intent is not None and section not in intent.sections and not self._shared_text(cid, want):
                continue  # "is it habit forming?" is not answered by a dosage passage that says "tablet form"
            if topic_scores is not None and topic_scores[j] <= 0:
                continue  # no intent recognised: the passage must share a topic word, not only the name
            bonus = 0.0
            if want:
                drug = normalize(self.index.drug_of(cid))
                title = normalize(self.index.title_of(cid))
                if drug in want:
                    bonus += W_DRUG
                    if title == drug:
                        bonus += W_OWN_PAGE  # the medicine's own monograph over combinations
                        if Path(self.index.source_of(cid)).stem.lower() == drug.replace(" ", "-"):
                            bonus += 0.1  # of duplicate pages, the one whose file is named for it
                elif title in want:
                    bonus += W_DRUG
                elif self._shared_text(cid, want):
                    bonus += W_DRUG
                    rel += W_SECTION  # two medicines named: their page's shared text first
                    parts["shared_text"] = True
                parts["drug_bonus"] = round(bonus, 2)
            if section == "overview" and (intent is None or "overview" not in intent.sections):
                bonus -= 0.5  # titles and "Generic Name" lines answer little
            parts["relevance"] = round(rel, 3)
            out.append((cid, rel + bonus, float(bm[j]), parts, rel))
        if not out:
            return []
        out.sort(key=lambda o: (-o[1], len(self.index.source_of(o[0])), o[0]))  # ties: the plainer file name
        best_rel = max(o[4] for o in out)
        return [o[:4] for o in out if o[4] >= RELATIVE_FLOOR * best_rel]


def _passage(rank: int, score: float, c: Chunk) -> Passage:
    return Passage(rank, round(score, 4), c.drug, c.section, c.heading, c.title, c.source, c.start_line, c.end_line, c.text,
                   c.start_line, c.end_line)


def _display_unknown(m: Mention) -> str:
    """The name as the person wrote it, with the lexicon's generic name when different."""
    typed = m.text.title() if m.text.islower() else m.text
    generic = m.unknown_name
    if generic and normalize(generic) != normalize(m.text):
        return f"{typed} ({generic.lower() if generic[:1].isupper() and generic[1:].islower() else generic})"
    return typed


def _dedupe(items) -> list:
    out = []
    for x in items:
        if x not in out:
            out.append(x)
    return out


def _join(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
