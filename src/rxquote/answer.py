"""A question (and the conversation before it) → an Answer: verbatim passages or a status.

`Engine.ask` runs four stages, each a module of its own and tested on its own:

    understand (understand.py)   medicines, intent with its weight, the words that say what is asked
    candidates (candidates.py)   the chunks that may answer: the medicine's own pages first
    rank       (rank.py)         BM25 relevance + section + FAQ question + page, weights in one place
    decide     (decide.py)       the status and its fixed message; the passages to quote

`--explain` shows each stage's output. Nothing here writes prose about medicines: passages are
chunk texts as indexed, messages are fixed strings.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from . import glosses
from . import candidates as candidates_
from . import intents, safety
from . import understand as understand_
from .corpus import SECTION_LABELS, SECTIONS, Chunk, split_ingredients
from .decide import (CLARIFY_MESSAGE, DISCLAIMER, EMERGENCY_MESSAGE, NO_MATCH_MESSAGE, SHORTENED_NOTE,  # noqa: F401
                     UNKNOWN_DRUG_MESSAGE, UNKNOWN_SUGGEST, choose, dedupe, not_covered, supported, unknown_message)
from .drugs import NOT_MEDICINE_WORDS, Mention, normalize
from .focus import CONTEXT_CHARS, LineSpan, focus_span, index_idf, question_terms
from .index import Index, Progress, ensure
from .rank import WEIGHTS, Weights, rank
from .text import stopwords
from .understand import (  # noqa: F401
    GENERIC, MAX_QUESTION_CHARS, Context, Speller, Understanding, expand, is_english, named_apart, subject_first,
    understand)

STATUSES = ("answered", "no_match", "unknown_drug", "emergency", "clarify")
_WORDS = re.compile(r"[^\W\d_]+")


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



class Engine:
    """Answers questions from one loaded index. Thread-safe for reading."""

    def __init__(self, index: Index, corpus: Path | None = None):
        self.index = index
        self.corpus = corpus
        self._section = index.section_ids
        self._disclaimer_id = SECTIONS.index("disclaimer")
        self._n = index.size
        self._known_words = frozenset(index.analyzer.stem_cache)  # never "misspellings" of safety words
        self._speller: Speller | None = None
        self._heading_terms: dict[int, tuple[tuple[str, ...], frozenset[str]]] = {}
        self._heading_stems: dict[str, tuple[str, ...]] = {}
        self._name_stems: dict[tuple[str, str], frozenset[str]] = {}
        self._duplicates: dict[str, tuple[str, ...]] = {}
        self._class_pages: dict[str, tuple[tuple[int, bool], ...]] = {}
        self._shares: dict[str, np.ndarray | None] = {}
        self._corpus_classes: dict[str, str | None] = {}

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
        """The FAQ questions of the medicine's own pages; of the combination pages that hold it
        only when it has no page of its own (the seed's "Diazepam + Imipramine")."""
        own_name = normalize(drug)
        own: list[str] = []
        held: list[str] = []
        for i in self._chunks_of(drug).tolist():
            if self.index.section_of(i) == "faq" and self.index.drug_of(i) == drug:
                q = self.index.heading_of(i)
                out = own if normalize(self.index.title_of(i)) == own_name else held
                if q.endswith("?") and q not in out:
                    out.append(q)
        return (own or held)[:limit]

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
            if (ctx.drugs or ctx.classes) and ctx.intent is not None:
                break
            if not isinstance(q, str) or self.emergency(q):
                continue
            q = q[:MAX_QUESTION_CHARS]
            if ctx.intent is None:
                ctx.intent = intents.detect(q)
            if not ctx.drugs and not ctx.classes:
                mentions = self.index.drugs.find(q)
                ctx.drugs = subject_first(self._names(mentions, allow_weak=False), mentions, q)
                ctx.apart = named_apart(q, mentions, ctx.drugs)
                weak = self._names(mentions, allow_weak=True) or weak
                if not ctx.drugs and not weak:
                    # a drug class asked about after the newest medicine is what "they" are now
                    ctx.classes = tuple(self.classes_named(q))
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
        # an everyday word that is also a medicine ("alcohol", also misspelt: "alchol") is weak
        chosen = [m for m in mentions if m.drug and m.how != "weak" and normalize(m.drug) not in NOT_MEDICINE_WORDS]
        if not chosen and allow_weak and not any(not m.drug for m in mentions):
            chosen = [m for m in mentions if m.drug]
        names: list[str] = []
        for m in chosen:
            if m.drug not in names and self._knows(m.drug):
                names.append(m.drug)
        # "Diazepam + Imipramine" named beside its ingredients: the ingredients say it
        named = {normalize(n) for n in names}
        return tuple(n for n in names if not (" + " in n and {normalize(i) for i in split_ingredients(n)} <= named))

    # -- helpers for the stages ----------------------------------------------------------
    def knows(self, name: str) -> bool:
        return self._knows(name)

    def chunks_of(self, name: str) -> np.ndarray:
        return self._chunks_of(name)

    def names(self, mentions: list[Mention], allow_weak: bool) -> tuple[str, ...]:
        return self._names(mentions, allow_weak)

    def section_ids(self, ids: np.ndarray) -> np.ndarray:
        return self._section[ids]

    def heading_terms(self, cid: int) -> tuple[tuple[str, ...], frozenset[str]]:
        """(the stems of a chunk's heading, the stems of its medicine's names), read once."""
        got = self._heading_terms.get(cid)
        if got is None:
            got = self._heading_terms[cid] = (self._terms_of_heading(self.index.heading_of(cid)),
                                              self._terms_of_names(self.index.drug_of(cid), self.index.title_of(cid)))
        return got

    def _terms_of_heading(self, heading: str) -> tuple[str, ...]:
        # a page's sections share their headings with every other page's ("Side effects"): tokenized once
        got = self._heading_stems.get(heading)
        if got is None:
            got = self._heading_stems[heading] = tuple(self.index.analyzer.tokens(heading))
        return got

    def _terms_of_names(self, drug: str, title: str) -> frozenset[str]:
        # the same for every chunk of a page: tokenized once
        got = self._name_stems.get((drug, title))
        if got is None:
            tokens = self.index.analyzer.tokens
            got = self._name_stems[(drug, title)] = frozenset(tokens(drug)) | frozenset(tokens(title))
        return got

    def scores(self, terms: list[str], ids: np.ndarray) -> np.ndarray:
        """BM25 of `terms` for the chunks `ids` only (= rank-bm25's get_scores(terms)[ids], bit for bit)."""
        return self.index.bm25.get_scores_for(terms, ids)

    @cached_property
    def _prior_ids(self) -> list[int]:
        return [SECTIONS.index(s) for s in understand_.PRIOR_SECTIONS]

    @cached_property
    def _section_sizes(self) -> np.ndarray:
        return np.bincount(self._section, minlength=len(SECTIONS))[self._prior_ids].astype(np.float64)

    def section_shares(self, term: str) -> np.ndarray | None:
        """How a term's passages fall into the sections of `understand.PRIOR_SECTIONS` (in its
        order), each section's count divided by its size, summing to 1; None for a term in too
        few passages."""
        if term in self._shares:
            return self._shares[term]
        docs = self.index.bm25.matching_docs([term])
        got = None
        if docs.size >= understand_.PRIOR_MIN_DF:
            counts = np.bincount(self._section[docs], minlength=len(SECTIONS))[self._prior_ids]
            lift = counts / np.maximum(self._section_sizes, 1)
            total = float(lift.sum())
            got = lift / total if total > 0 else None
        self._shares[term] = got
        return got

    def class_pages(self, phrase: str) -> tuple[tuple[int, bool], ...]:
        """The pages of a drug class's medicines (see candidates.class_pages), read once."""
        got = self._class_pages.get(phrase)
        if got is None:
            got = self._class_pages[phrase] = candidates_.class_pages(self, phrase)
        return got

    def classes_named(self, text: str) -> list[str]:
        """The drug classes `text` names: by the lexicon's names ("statins"), else by a name the
        monographs spell out or gloss as a class ("MAOIs", "blood thinners": see glosses)."""
        named = self.index.drugs.classes_named(text)
        if named:
            return named
        runs: list[list[str]] = [[]]  # runs of words that may be a name (no stopword inside)
        for w in _WORDS.findall(text):
            if w.lower() in stopwords() or w.lower() in GENERIC:
                runs.append([])
            else:
                runs[-1].append(w)
        found: list[str] = []
        for run in runs:
            taken = [False] * len(run)
            for n in (3, 2, 1):
                for i in range(len(run) - n + 1):
                    if not any(taken[i : i + n]) and self._corpus_class(" ".join(run[i : i + n])):
                        taken[i : i + n] = [True] * n
                        found.append(" ".join(run[i : i + n]).lower())
        return found

    def class_synonyms(self, phrase: str) -> tuple[str, ...]:
        """The other names of a drug class (see `classes_named`): the lexicon's, and for a name
        the monographs spell out or gloss, the class it stands for with that class's names."""
        lexicon = self.index.drugs.lexicon
        spelt = None if self.index.drugs.is_class(phrase) else self._corpus_class(phrase)
        if spelt is None:
            return lexicon.synonyms_of_class(phrase)
        return (spelt, *(n for n in lexicon.synonyms_of_class(spelt) if n != spelt))

    def _corpus_class(self, phrase: str) -> str | None:
        """The drug class (as the lexicon spells it) that the monographs write `phrase` for, as
        its abbreviation or its everyday name, or None."""
        key = phrase.lower()
        if key in self._corpus_classes:
            return self._corpus_classes[key]
        found = None
        drugs, index = self.index.drugs, self.index
        abbreviation = " " not in key and glosses.looks_like_abbreviation(phrase) and not is_english(key)
        stems = index.analyzer.tokens(key)
        # a medicine's name is not a class's ("water" of "water pills" is only an everyday word)
        if stems and (abbreviation or glosses.is_plural(key)) and not any(m.how != "weak" for m in drugs.find(key)):
            docs = index.bm25.docs_with_all(stems)
            if docs.size:
                # spread over the corpus: the first pages alone would be one letter's medicines
                sample = docs[:: -(-docs.size // glosses.MAX_TEXTS)]
                texts = [c.text for c in index.chunks(sample.tolist())]
                if abbreviation:
                    spelt = glosses.most_common(glosses.definitions(phrase, texts))
                    found = drugs.class_form(spelt) if spelt else None
                if found is None and glosses.is_plural(key):
                    found = glosses.most_common(glosses.beside(key, texts, drugs.class_form))
            said = int(np.isin(self._section[docs], candidates_.OVERVIEW_SECTIONS).sum())
            if found is None and not abbreviation and 0 < said <= glosses.MAX_CLASS_PASSAGES:
                # no gloss: a class when enough pages say they are of it ("X is a beta-blocker"),
                # and they are a fair share of the pages that use the name at all (an everyday
                # word in hundreds of overviews, "headaches", is not read this way)
                pages = candidates_.class_pages(self, key, names=())
                says = sum(1 for _, is_of in pages if is_of)
                if says >= glosses.MIN_CLASS_PAGES and says >= glosses.MIN_CLASS_SHARE * len(pages):
                    found = key
        self._corpus_classes[key] = found
        return found

    def duplicates_of(self, name: str) -> tuple[str, ...]:
        """Other pages of the same combination, its ingredients in another order or spelling
        ("Drospirenone + Ethinylestradiol" for "Ethinyl Estradiol + Drospirenone")."""
        got = self._duplicates.get(name)
        if got is None:
            got = self._duplicates[name] = candidates_.duplicate_pages(self, name)
        return got

    def variants_of(self, name: str) -> tuple[str, ...]:
        """Pages of the same medicine by another route, salt or form ("Ibuprofen (Systemic)")."""
        pages = self.index.drugs.pages_with_base_form(candidates_.plain_key(name))
        return tuple(m for m in pages if normalize(m) != normalize(name) and self._knows(m))

    def speller(self) -> Speller:
        if self._speller is None:
            stems = self.index.analyzer.stem_cache
            bm = self.index.bm25

            vocab = sorted({w for w in stems if w.isalpha() and len(w) >= 3} | {w for w in stopwords() if len(w) >= 3})

            def frequency(word: str) -> int:
                return bm.doc_freq(stems.get(word, word))

            self._speller = Speller(vocab, frequency)
        return self._speller

    def emergency(self, message: str) -> safety.Trigger | None:
        """The emergency rule that fires on a message (safety.py), the corpus's words known."""
        return safety.check(message, self._known_words, self._names_a_medicine)

    def _names_a_medicine(self, word: str) -> bool:
        """Is the word, alone, a medicine's name or brand ("amoxicillin", "tylenol")?"""
        return len(word) >= 3 and word in self.index.drugs.aliases

    def resolve_names(self, text: str) -> tuple[str, ...]:
        """The corpus medicines a text names ("I take Zoloft and metoprolol" → Sertraline, Metoprolol)."""
        return self._resolve(text[:MAX_QUESTION_CHARS])[0]

    # -- answering -----------------------------------------------------------------------
    def ask(self, question: str, history=(), top_k: int = 3, focus: list[str] | None = None,
            explain: bool = False, id=None, medicines: list[str] | None = None,
            weights: Weights = WEIGHTS) -> Answer:
        """understand → candidates → rank → decide (see the module docstring)."""
        question = question if isinstance(question, str) else str(question)
        top_k = max(1, min(int(top_k), 50))
        u = understand(self, question, history, focus, medicines)
        info: dict = {"understand": _understanding_json(u)} if explain else {}

        def done(status, drugs=(), message=None, chosen=(), cands=None, ranked=()) -> Answer:
            passages = self._passages(chosen, u)
            if explain:
                info["candidates"] = {"count": int(cands.ids.size), "reason": cands.reason} if cands is not None else None
                info["rank"] = [{"chunk": s.chunk, "final": round(s.final, 3), "bm25": round(s.bm25, 3), **s.parts}
                                for s in ranked[:10]]
                info["decide"] = {"status": status, "drugs": list(drugs)}
            intent = u.intent.name
            return Answer(question, status, tuple(drugs), message, passages, DISCLAIMER, id, intent,
                          info if explain else None)

        if u.emergency is not None:
            return done("emergency", u.named or u.drugs, EMERGENCY_MESSAGE)
        if not u.named and u.unknown:
            close = dedupe(c for m in u.unknown for n in (m.text, m.unknown_name) for c in self.index.drugs.closest(n))
            return done("unknown_drug", (), unknown_message([_display_unknown(m) for m in u.unknown], close))
        if not u.drugs:
            found = self._without_medicine(u)
            if isinstance(found, str):
                return done(found, (), CLARIFY_MESSAGE if found == "clarify" else NO_MATCH_MESSAGE)
            cands = found
            if cands.names:  # a drug class: its name is not what is asked, like a medicine's
                u = _without_words(u, set(cands.names))
        elif u.drugs_from == "my medicines" and len(u.drugs) > 1:
            return self._for_each(u, top_k, done, weights)
        else:
            cands = candidates_.for_medicines(self, u.drugs, apart=u.apart, question=u.question)
        if cands.ids.size == 0:
            return done("no_match", u.drugs, self._not_covered(u.drugs), cands=cands)
        ranked = rank(self, u, cands, weights)
        if not supported(u, ranked) and u.intent.source == "none" and u.drugs and u.topic \
                and (prior := understand_.section_prior(self, u.topic)):
            # no rule says what is asked and the pages lack its words ("keppra mood swings"): the
            # section the corpus writes those words in answers, as a weak guess
            u = replace(u, intent=understand_.IntentGuess(prior[0], round(understand_.PRIOR_WEIGHT * prior[1], 2), "corpus"))
            ranked = rank(self, u, cands, weights)
            if explain:
                info["understand"]["intent"] = {"name": u.intent.name, "weight": u.intent.weight, "source": "corpus"}
        if not supported(u, ranked):
            return done("no_match", u.drugs, self._not_covered(u.drugs) if u.drugs else NO_MATCH_MESSAGE,
                        cands=cands, ranked=ranked)
        chosen = choose(ranked, top_k, lambda c: (self.index.section_of(c), self.index.heading_of(c), self.index.drug_of(c)))
        return done("answered", u.drugs, None, chosen, cands, ranked)

    def _for_each(self, u: Understanding, top_k: int, done, weights: Weights) -> Answer:
        """"Which of my medicines can cause dizziness?": for each medicine of the person's list
        whose monograph says so, its best passage that names what is asked (or the monographs'
        word for it); medicines whose pages never mention it are left out."""
        terms = expand(u.key) or expand(u.topic)
        chosen, drugs, all_ranked = [], [], []
        total = 0
        for d in u.drugs:
            cands = candidates_.for_medicines(self, (d,))
            total += int(cands.ids.size)
            ranked = rank(self, u, cands, weights)
            if not ranked or u.intent.name == "out_of_scope":
                continue
            if terms:
                said = self.scores(terms, np.asarray([s.chunk for s in ranked], dtype=np.int64))
                ranked = [s for s, v in zip(ranked, said.tolist()) if v > 0]
                if not ranked:
                    continue
            chosen.append(ranked[0])
            drugs.append(d)
            all_ranked.extend(ranked[:3])
        everyone = candidates_.Candidates(np.zeros(total, dtype=np.int64), {}, "each of my medicines")
        if not chosen:
            return done("no_match", u.drugs, self._not_covered(u.drugs), cands=everyone)
        return done("answered", tuple(drugs), None, tuple(chosen), everyone, all_ranked)

    def _passages(self, chosen, u: Understanding) -> tuple:
        """The chosen chunks as passages, each focused to the lines about the topic (a word with
        its everyday synonyms), or whole when the question asks for the section's whole topic."""
        if not chosen:
            return ()
        chunks = self.index.chunks([s.chunk for s in chosen])
        idf, tokenize = index_idf(self.index.bm25), self.index.analyzer.tokens
        forms = next((s.parts["forms"] for s in chosen if s.parts.get("forms")), {})
        # each topic word with the monographs' words for it and the pages' own forms of it
        # (and the intent's own content words: "is the drinking a problem?" is about alcohol)
        topic_terms = [expand([t]) + forms.get(t, []) for t in dict.fromkeys(u.topic + u.key)]
        out = []
        for position, (s, chunk) in enumerate(zip(chosen, chunks), 1):
            terms, whole = question_terms(topic_terms, u.drugs, chunk.drug, tokenize)
            out.append(_passage(position, s.final, chunk, focus_span(chunk, terms, idf, whole, tokenize, CONTEXT_CHARS)))
        return tuple(out)

    def _not_covered(self, drugs) -> str:
        sections: set[str] = set()
        questions: list[str] = []
        for d in drugs:
            # the medicine's own page first (as faq_questions lists them), then its variant pages'
            questions += [q for q in self.faq_questions(d) if q not in questions]
            cands = candidates_.for_medicines(self, (d,))
            for cid in sorted(cands.ids.tolist(), key=lambda c: -cands.page.get(c, 0.0)):
                s = self.index.section_of(cid)
                sections.add(s)
                if s == "faq":
                    q = self.index.heading_of(cid)
                    if q.endswith("?") and q not in questions:
                        questions.append(q)
        return not_covered(list(drugs), sections, questions[:6])

    def _without_medicine(self, u: Understanding):
        """Candidates for a question that names no medicine, or the status to give.

        Only a clear question (a strong section intent, or a drug class such as
        "benzodiazepines") on a specific word of the monographs is searched everywhere;
        medicine-specific questions ("I missed my pill", "is it safe?") ask which medicine.
        """
        intent = u.intent.intent()
        if u.unnamed:
            return "clarify"  # "is alcohol ok with my antibiotic?": which one?
        for phrase in u.classes:  # "can statins cause muscle pain": the class's pages
            pages = self.class_pages(phrase)
            if pages:
                return candidates_.for_class(self, phrase, pages, u.topic)
        content = [w for w in self.index.analyzer.content_words(u.asking) if w not in GENERIC]
        if intent is not None and (intent.name in intents.MEDICINE_SPECIFIC or u.pronoun or u.my_list or not content):
            return "clarify"
        if u.pronoun and u.topic:
            return "clarify"  # "is it safe with alcohol?": which medicine is "it"?
        if not content:
            return "no_match"
        bm = self.index.bm25
        rare = sorted(t for t in set(u.topic) if 0 < bm.doc_freq(t) <= max(3, self._n // 50))
        strong = intent is not None and intent.name != "about" and u.intent.weight >= intents.STRONG
        if rare and (strong or self.index.drugs.names_class(u.question)):
            docs = bm.matching_docs(rare)
            if intent is not None:  # only the section that answers it: no stray mentions
                docs = docs[self._section[docs] == SECTIONS.index(intent.sections[0])]
            if docs.size:
                return candidates_.Candidates(docs.astype(np.int64), {int(d): candidates_.OWN for d in docs.tolist()},
                                              "every monograph (no medicine named)")
        return "no_match"


def _without_words(u: Understanding, names: set[str]) -> Understanding:
    def keep(stems):
        return tuple(t for t in stems if t not in names)

    return replace(u, topic=keep(u.topic), key=keep(u.key))


def _understanding_json(u: Understanding) -> dict:
    return {
        "mentions": [{"text": m.text, "drug": m.drug or None, "how": m.how, "score": round(m.score, 1),
                      "unknown": m.unknown_name or None} for m in u.mentions],
        "drugs": list(u.drugs), "drugs_from": u.drugs_from, "classes": list(u.classes),
        "intent": {"name": u.intent.name, "weight": u.intent.weight, "source": u.intent.source},
        "asking": u.asking if u.asking != u.question else None,
        "corrected": u.corrected, "topic": list(u.topic), "tokens": list(u.tokens),
        "emergency": ({"family": u.emergency.family, "rule": u.emergency.rule, "words": u.emergency.words}
                      if u.emergency else None),
    }


def _passage(rank: int, score: float, c: Chunk, span: LineSpan) -> Passage:
    return Passage(rank, round(score, 4), c.drug, c.section, c.heading, c.title, c.source, span.start_line, span.end_line,
                   span.text, c.start_line, c.end_line)


def _display_unknown(m: Mention) -> str:
    """The name as the person wrote it, with the lexicon's generic name when different."""
    typed = m.text.title() if m.text.islower() else m.text
    generic = m.unknown_name
    if generic and normalize(generic) != normalize(m.text):
        return f"{typed} ({generic.lower() if generic[:1].isupper() and generic[1:].islower() else generic})"
    return typed


