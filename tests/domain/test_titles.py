import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kantor.domain.titles import (
    ALPHABET,
    TITLE_LENGTH,
    InvalidTitle,
    TitlePurpose,
    display_title,
    find_titles,
    generate_title,
    is_valid,
    normalise,
)

seeds = st.integers(min_value=0, max_value=2**32)
purposes = st.sampled_from(list(TitlePurpose))


def _title(purpose: TitlePurpose = TitlePurpose.DEPOSIT, seed: int = 7) -> str:
    return generate_title(purpose, random.Random(seed))


def test_generated_title_has_prefix_alphabet_and_length_DEP_1():
    for purpose, prefix in [
        (TitlePurpose.DEPOSIT, "KND"),
        (TitlePurpose.ORDER, "KNT"),
        (TitlePurpose.RATE_LOCK, "KNR"),
    ]:
        title = _title(purpose)
        assert title.startswith(prefix)
        assert len(title) == TITLE_LENGTH == 12
        assert set(title) <= set(ALPHABET)
        assert not set(title) & set("OILUZ")


def test_normalise_folds_case_separators_and_confusions_DEP_2():
    title = _title()
    messy = " " + display_title(title).lower().replace(" ", "-") + ". "
    assert normalise(messy) == title
    confused = title.replace("0", "O").replace("1", "l").replace("2", "Z")
    assert normalise(confused) == title


def test_normalise_refuses_garbage_with_stable_codes_DEP_2():
    with pytest.raises(InvalidTitle) as err:
        normalise("PRZELEW WLASNY")
    assert err.value.code == "INVALID_TITLE"
    title = _title()
    bad = title[:-1] + next(ch for ch in ALPHABET if ch != title[-1])
    with pytest.raises(InvalidTitle) as err:
        normalise(bad)
    assert err.value.code == "TITLE_CHECK_FAILED"


def test_display_groups_by_four_DEP_1():
    title = _title()
    assert display_title(title) == f"{title[:4]} {title[4:8]} {title[8:]}"


def test_title_found_in_bank_description_wrapped_at_fixed_width_DEP_2():
    title = _title(TitlePurpose.ORDER, 11)
    text = f"PRZELEW SRODKOW WLASNYCH TYTULEM {title.lower()} DZIEKUJE"
    wrapped = "\n".join(text[i : i + 27] for i in range(0, len(text), 27))
    found = find_titles(wrapped)
    assert [f.title for f in found] == [title]
    assert found[0].purpose is TitlePurpose.ORDER
    assert wrapped[found[0].start].upper() == "K"


def test_two_titles_in_one_description_are_both_found_in_order_DEP_2():
    a, b = _title(TitlePurpose.DEPOSIT, 1), _title(TitlePurpose.RATE_LOCK, 2)
    found = find_titles(f"{a}, {b} oraz ponownie {a}")
    assert [f.title for f in found] == [a, b]


def test_text_without_titles_finds_nothing_DEP_6():
    assert find_titles("") == []
    assert find_titles("ZAPLATA ZA FAKTURE KN/2025/01 KANTOR KNT") == []


@settings(max_examples=150)
@given(purposes, seeds)
def test_every_generated_title_verifies_DEP_1(purpose, seed):
    title = generate_title(purpose, random.Random(seed))
    assert is_valid(title) and normalise(title) == title


_FILLER = st.text(alphabet="ABCDEFGHIJKLMNOPRSTUWYZ0123456789 .,-/:ąęłóżź\n", max_size=60)


@st.composite
def _mangled(draw, title: str) -> str:
    out = []
    for ch in title:
        if ch in "012" and draw(st.booleans()):
            ch = {"0": "O", "1": draw(st.sampled_from("IlL")), "2": "z"}[ch]
        if draw(st.booleans()):
            ch = ch.lower()
        out.append(ch)
        if draw(st.integers(0, 4)) == 0:
            out.append(draw(st.sampled_from([" ", "-", ".", "\n", " \n", "  "])))
    return "".join(out)


@settings(max_examples=200)
@given(st.data(), purposes, seeds, _FILLER, _FILLER)
def test_generated_title_is_found_in_random_text_with_mangling_DEP_2(
    data, purpose, seed, before, after
):
    title = generate_title(purpose, random.Random(seed))
    mangled = data.draw(_mangled(title))
    sep_before = data.draw(st.sampled_from(["", " ", "\n", "/"]))
    found = find_titles(before + sep_before + mangled + " " + after)
    assert title in [f.title for f in found]


@settings(max_examples=150)
@given(purposes, seeds, st.integers(0, TITLE_LENGTH - 1), st.integers(1, len(ALPHABET) - 1))
def test_single_symbol_change_is_detected_DEP_2(purpose, seed, position, shift):
    title = generate_title(purpose, random.Random(seed))
    replacement = ALPHABET[(ALPHABET.index(title[position]) + shift) % len(ALPHABET)]
    changed = title[:position] + replacement + title[position + 1 :]
    assert not is_valid(changed)
    assert find_titles(f"TYTUL {changed} KONIEC") == []


@settings(max_examples=150)
@given(purposes, seeds, st.integers(0, TITLE_LENGTH - 1), st.integers(0, TITLE_LENGTH - 1))
def test_any_transposition_of_two_symbols_is_detected_DEP_2(purpose, seed, i, j):
    title = generate_title(purpose, random.Random(seed))
    if title[i] == title[j]:
        return
    chars = list(title)
    chars[i], chars[j] = chars[j], chars[i]
    assert not is_valid("".join(chars))


def test_every_single_substitution_exhaustively_for_one_title_DEP_2():
    title = _title(TitlePurpose.RATE_LOCK, 99)
    for pos in range(TITLE_LENGTH):
        for ch in ALPHABET:
            if ch != title[pos]:
                assert not is_valid(title[:pos] + ch + title[pos + 1 :])
