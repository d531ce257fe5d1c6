"""wordforms: other forms of a word that a medicine's pages may use (pure functions)."""

from hypothesis import given, strategies as st

from rxquote.wordforms import MIN_LENGTH, PREFIXES, forms, stand_ins


def test_prefixed_forms_come_first():
    got = list(forms("fertil"))
    assert got[: len(PREFIXES)] == [p + "fertil" for p in PREFIXES]
    assert "infertil" in got and "hyperfertil" in got


def test_one_more_letter_where_the_stemmer_stopped_short():
    assert "genet" in forms("gene")  # "genetic" stems to "genet", "genes" to "gene"


def test_short_and_non_alphabetic_stems_have_no_forms():
    assert list(forms("flu")) == [] and list(forms("b12x")) == []
    assert "inform" not in forms("form")  # a prefix on a short stem makes another word


def test_stand_ins_are_only_words_the_pages_have_nearest_first():
    pages = {"hyperpigment", "pigmentari", "genet"}
    assert stand_ins(("pigment", "colour"), pages.__contains__) == ["hyperpigment"]
    assert stand_ins(("gene",), pages.__contains__) == ["genet"]
    assert stand_ins(("nightmar",), pages.__contains__) == []


def test_stand_ins_never_return_the_groups_own_words():
    assert stand_ins(("fertil", "infertil"), {"fertil", "infertil"}.__contains__) == []


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=MIN_LENGTH, max_size=12))
def test_every_form_contains_the_stem_and_differs_from_it(stem):
    for f in forms(stem):
        assert stem in f and f != stem


def test_negations_of_a_word_are_about_it_too():
    from rxquote.wordforms import negations

    assert "infertil" in negations("fertil") and "intoler" in negations("toler")
    assert negations("eye") == []
