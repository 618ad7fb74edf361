"""Properties of the identification path (DEP-2, DEP-3, DEP-4, DEP-6, BANK-1, BANK-2).

``assign`` and ``identify`` are pure: these tests drive them with random
names, titles and account states, no database.
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from kantor.banking.identification import assign, identify
from kantor.banking.models import DepositStatus, ReviewReason
from kantor.domain.names import CustomerIdentity, Decision, match_sender
from kantor.domain.titles import TitlePurpose, generate_title

GIVEN = ["Jan", "Anna", "Piotr", "Małgorzata", "Grzegorz", "Zofia", "Łukasz", "Ewa"]
SURNAMES = ["Kowalski", "Nowak", "Wiśniewska", "Żółkiewska", "Zieliński", "Brzęczyszczykiewicz"]


@st.composite
def people(draw):
    return draw(st.sampled_from(GIVEN)), draw(st.sampled_from(SURNAMES))


@st.composite
def account_states(draw):
    """(sender account given, defined by the customer, verified, customer in service)."""
    given_ = draw(st.booleans())
    defined = given_ and draw(st.booleans())
    verified = defined and draw(st.booleans())
    return given_, defined, verified, draw(st.booleans())


def _verdict(customer, sender_name, states, address=None):
    given_, defined, verified, in_service = states
    return identify(
        identity=CustomerIdentity.individual(*customer),
        in_service=in_service,
        sender_name=sender_name,
        sender_address=address,
        sender_account="PL62102010268172805693166101" if given_ else "",
        account_defined=defined,
        account_verified=verified,
    )


@settings(max_examples=200)
@given(people(), people(), account_states())
def test_only_a_matching_sender_from_a_verified_account_is_booked_automatically_DEP_3(
    customer, sender, states
):
    verdict = _verdict(customer, " ".join(sender), states)
    decision = match_sender(" ".join(sender), None, CustomerIdentity.individual(*customer))
    given_, defined, verified, in_service = states
    if verdict.status == DepositStatus.BOOKED:
        assert decision.decision is Decision.MATCH
        assert given_ and defined and verified and in_service
    if decision.decision is Decision.MISMATCH:
        assert verdict.status != DepositStatus.BOOKED
        assert verdict.reason == ReviewReason.NAME_MISMATCH


@settings(max_examples=200)
@given(people(), account_states(), st.sampled_from(["upper", "reversed", "plain"]))
def test_the_customer_from_a_verified_account_is_booked_however_the_bank_writes_the_name_DEP_3(
    customer, states, style
):
    first, last = customer
    name = {"upper": f"{first} {last}".upper(), "reversed": f"{last} {first}", "plain": ""}[
        style
    ] or f"{first} {last}"
    given_, defined, verified, in_service = states
    verdict = _verdict(customer, name, states)
    if given_ and defined and verified and in_service:
        assert verdict.status == DepositStatus.BOOKED
    elif not (given_ and defined and verified):
        # BANK-2: the first transfer from an account (or from no defined one) goes to staff.
        assert verdict.status == DepositStatus.REVIEW


@settings(max_examples=200)
@given(people(), st.sampled_from(SURNAMES), account_states())
def test_somebody_else_is_refunded_to_the_account_it_came_from_DEP_4(customer, surname, states):
    first, last = customer
    if surname == last or (surname[:-1] == last[:-1]):
        return  # the same family name (or its other gender) is not "somebody else"
    verdict = _verdict(customer, f"{first} {surname}", states)
    given_ = states[0]
    assert verdict.status == (DepositStatus.REFUND_DUE if given_ else DepositStatus.REVIEW)


def _title(seed: int) -> str:
    return generate_title(TitlePurpose.DEPOSIT, random.Random(seed))


@settings(max_examples=100)
@given(
    st.integers(0, 10_000),
    st.text(alphabet=" -./xyzab0123", max_size=12),
    st.text(alphabet=" -./xyzab0123", max_size=12),
    st.sampled_from(["upper", "lower", "spaced"]),
)
def test_a_title_anywhere_in_the_description_assigns_the_transfer_whatever_the_account_DEP_2(
    seed, before, after, style
):
    title = _title(seed)
    shown = {
        "upper": title,
        "lower": title.lower(),
        "spaced": " ".join(title[i : i + 4] for i in range(0, 12, 4)),
    }[style]
    found = assign(
        f"{before} {shown} {after}",
        "PL90114020045809183313901285",
        deposit_title_owner=lambda t: 7 if t == title else None,
        resolve_other_title=lambda t: None,
        account_owners=lambda iban: [99],
    )
    assert (found.customer_id, found.via) == (7, "title")


@settings(max_examples=100)
@given(st.integers(0, 10_000), st.sampled_from([[], [5], [5, 6]]))
def test_without_a_title_the_account_decides_and_ambiguity_goes_to_suspense_DEP_6(seed, owners):
    found = assign(
        "przelew",
        "PL90114020045809183313901285",
        deposit_title_owner=lambda t: None,
        resolve_other_title=lambda t: None,
        account_owners=lambda iban: owners,
    )
    if len(owners) == 1:
        assert (found.customer_id, found.via) == (5, "account")
    else:
        assert found.customer_id is None
        expected = ReviewReason.AMBIGUOUS if owners else ReviewReason.NO_CUSTOMER
        assert found.reason == expected


def test_two_customers_titles_are_ambiguous_and_another_purposes_title_is_resolved_DEP_6():
    a, b = _title(1), _title(2)
    owners = {a: 1, b: 2}
    both = assign(
        f"{a} {b}",
        "",
        deposit_title_owner=owners.get,
        resolve_other_title=lambda t: None,
        account_owners=lambda iban: [],
    )
    assert (both.customer_id, both.reason) == (None, ReviewReason.AMBIGUOUS)
    order_title = generate_title(TitlePurpose.ORDER, random.Random(3))
    by_owner = assign(
        order_title,
        "",
        deposit_title_owner=lambda t: None,
        resolve_other_title=lambda t: 4 if t == order_title else None,
        account_owners=lambda iban: [],
    )
    assert (by_owner.customer_id, by_owner.via, by_owner.titles) == (4, "title", (order_title,))
