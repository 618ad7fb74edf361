"""DEP-3 identification: is the holder of the sending account our customer?

``002`` §15: the customer's data must agree with the data of the account the
transfer came from. Banks show that holder in their own way — upper case, no
diacritics, surname first, honorifics, two holders of a joint account, names
cut at a field width, company legal forms abbreviated — so an exact string
comparison would send every deposit to staff. ``match_sender`` reads the
holder as a person would and answers:

* ``MATCH`` — the customer is (one of) the holder(s). Booked automatically
  from a verified account (BANK-2); the first transfer from an account goes
  to staff anyway (DEP-3).
* ``UNSURE`` — not enough to decide (an initial, a missing given name, one
  part of a double surname, an address that differs: DEP-5) → staff review.
* ``MISMATCH`` — somebody else: another surname, or the same surname with
  another given name (a relative is not the customer) → refund (DEP-4).

Address evidence (when the bank gives one) can only lower a ``MATCH`` to
``UNSURE``: people move, and banks keep old addresses. Truncation is assumed
only when the name is exactly as long as a known bank field (``FIELD_WIDTHS``):
a rule by length alone would let ``NOWAK`` match ``NOWAKOWSKI``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "FIELD_WIDTHS",
    "CustomerIdentity",
    "CustomerKind",
    "Decision",
    "NameMatch",
    "PersonName",
    "PostalAddress",
    "Reason",
    "fold",
    "match_sender",
]

#: Widths at which banks cut names: MT940 sub-field 27 (×2 = 54), SWIFT/Elixir
#: line 35 (×2, ×3, ×4), camt/SEPA 70 and 140, and 40/50 seen in bank exports.
FIELD_WIDTHS = frozenset({27, 35, 40, 50, 54, 70, 105, 140})
MIN_TRUNCATED_PART = 3


class Decision(StrEnum):
    MATCH = "MATCH"
    UNSURE = "UNSURE"
    MISMATCH = "MISMATCH"


class Reason(StrEnum):
    NAME_MATCH = "NAME_MATCH"
    EXTRA_GIVEN_NAME = "EXTRA_GIVEN_NAME"
    EXTRA_NAME_PART = "EXTRA_NAME_PART"
    GIVEN_NAME_MISSING = "GIVEN_NAME_MISSING"
    GIVEN_NAME_INITIAL = "GIVEN_NAME_INITIAL"
    GIVEN_NAME_SECONDARY = "GIVEN_NAME_SECONDARY"
    GIVEN_NAME_SIMILAR = "GIVEN_NAME_SIMILAR"
    DIFFERENT_GIVEN_NAME = "DIFFERENT_GIVEN_NAME"
    SURNAME_MISSING = "SURNAME_MISSING"
    SURNAME_PARTIAL = "SURNAME_PARTIAL"
    SURNAME_SIMILAR = "SURNAME_SIMILAR"
    DIFFERENT_SURNAME = "DIFFERENT_SURNAME"
    TRUNCATED = "TRUNCATED"
    JOINT_ACCOUNT = "JOINT_ACCOUNT"
    NO_NAME = "NO_NAME"
    SENDER_IS_COMPANY = "SENDER_IS_COMPANY"
    COMPANY_NAME_MATCH = "COMPANY_NAME_MATCH"
    COMPANY_NAME_PARTIAL = "COMPANY_NAME_PARTIAL"
    DIFFERENT_COMPANY = "DIFFERENT_COMPANY"
    LEGAL_FORM_MISSING = "LEGAL_FORM_MISSING"
    DIFFERENT_LEGAL_FORM = "DIFFERENT_LEGAL_FORM"
    NIP_MATCH = "NIP_MATCH"
    DIFFERENT_NIP = "DIFFERENT_NIP"
    PROPRIETOR_NAME = "PROPRIETOR_NAME"
    ADDRESS_MATCH = "ADDRESS_MATCH"
    ADDRESS_MISMATCH = "ADDRESS_MISMATCH"


class CustomerKind(StrEnum):
    INDIVIDUAL = "INDIVIDUAL"
    COMPANY = "COMPANY"


@dataclass(frozen=True, slots=True)
class PostalAddress:
    """``street`` holds the street, house and flat number: ``"ul. Kwiatowa 12/4"``."""

    street: str
    postal_code: str = ""
    city: str = ""
    country: str = "PL"


@dataclass(frozen=True, slots=True)
class PersonName:
    first_names: tuple[str, ...]
    last_name: str


@dataclass(frozen=True, slots=True)
class CustomerIdentity:
    """The customer data DEP-3 compares with (REG-2 individual, REG-3 company).

    A sole trader is a company whose ``person`` is the owner: the business
    account may bear either the business name or the owner's name.
    """

    kind: CustomerKind
    person: PersonName | None = None
    legal_name: str = ""
    legal_form: str = ""
    nip: str = ""
    addresses: tuple[PostalAddress, ...] = ()

    def __post_init__(self) -> None:
        if self.kind is CustomerKind.INDIVIDUAL and self.person is None:
            raise ValueError("an individual customer has a name (REG-2)")
        if self.kind is CustomerKind.COMPANY and not self.legal_name.strip():
            raise ValueError("a company customer has a legal name (REG-3)")

    @classmethod
    def individual(
        cls,
        first_names: str | Sequence[str],
        last_name: str,
        addresses: Sequence[PostalAddress] = (),
    ) -> CustomerIdentity:
        names = tuple(first_names.split()) if isinstance(first_names, str) else tuple(first_names)
        return cls(
            CustomerKind.INDIVIDUAL, PersonName(names, last_name), addresses=tuple(addresses)
        )

    @classmethod
    def company(
        cls,
        legal_name: str,
        legal_form: str = "",
        nip: str = "",
        addresses: Sequence[PostalAddress] = (),
        owner: PersonName | None = None,
    ) -> CustomerIdentity:
        return cls(CustomerKind.COMPANY, owner, legal_name, legal_form, nip, tuple(addresses))


@dataclass(frozen=True, slots=True)
class NameMatch:
    decision: Decision
    reasons: tuple[Reason, ...] = ()
    holder: str = field(default="", compare=False)


# -- text ------------------------------------------------------------------------

_SPECIAL = str.maketrans(
    dict(zip("ŁłØøĐđ", "LLOODD", strict=True)) | {"ß": "SS", "Æ": "AE", "æ": "AE"}
)


def fold(text: str) -> str:
    """Upper case without diacritics — including ``Ł``, which NFKD leaves alone."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).upper()


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_HONORIFICS = _wordset(
    "PAN PANI PANSTWO SZ MR MRS MS MISS MESSRS DR HAB INZ MGR PROF LEK HERR FRAU MME"
)
_CONJUNCTIONS = _wordset("I ORAZ AND UND ET & +")
_STREET_MARKERS = _wordset("UL ULICA AL ALEJA ALEJE PL PLAC OS OSIEDLE SKWER RONDO BULWAR")
_ADDRESS_NOISE = _STREET_MARKERS | _wordset("M LOK LOKAL MIESZK NR POLSKA POLAND")

#: (canonical code, regex over folded text). Longer forms first.
_LEGAL_FORMS: tuple[tuple[str, str], ...] = (
    ("SKA", r"SPOLKA\s+KOMANDYTOWO\s*-?\s*AKCYJNA|S\.?\s*K\.?\s*A\.?"),
    ("PSA", r"PROSTA\s+SPOLKA\s+AKCYJNA|P\.\s*S\.\s*A\.?|PSA"),
    ("SPZOO", r"SPOLKA\s+Z\s+OGRANICZONA\s+ODPOWIEDZIALNOSCIA|SP\.?\s*Z\.?\s*O\.?\s*O\.?|SPZOO"),
    ("SA", r"SPOLKA\s+AKCYJNA|S\.\s*A\.?|SA"),
    ("SPK", r"SPOLKA\s+KOMANDYTOWA|SP\.?\s*K\.?|SPK"),
    ("SPJ", r"SPOLKA\s+JAWNA|SP\.?\s*J\.?|SPJ"),
    ("SPP", r"SPOLKA\s+PARTNERSKA|SP\.?\s*P\.?|SPP"),
    ("SC", r"SPOLKA\s+CYWILNA|S\.?\s*C\.?"),
    ("FUNDACJA", r"FUNDACJA"),
    ("STOWARZYSZENIE", r"STOWARZYSZENIE"),
)
_FORM_RE = [(code, re.compile(rf"(?<![A-Z0-9])(?:{rx})(?![A-Z0-9])")) for code, rx in _LEGAL_FORMS]
#: Spelled-out forms, to recognise one cut off at the end of a name.
_FORM_TEXT = (
    "SPOLKA Z OGRANICZONA ODPOWIEDZIALNOSCIA|SPOLKA AKCYJNA|SPOLKA KOMANDYTOWA|SPOLKA JAWNA|"
    "SPOLKA KOMANDYTOWO AKCYJNA|SPOLKA PARTNERSKA|SPOLKA CYWILNA|PROSTA SPOLKA AKCYJNA|SP Z O O"
)
_FORM_WORDS = tuple(_FORM_TEXT.split("|"))


def _legal_forms(folded: str) -> tuple[str, set[str], bool]:
    """Text with legal forms removed, the forms found, and whether one was cut off."""
    found: set[str] = set()
    for code, rx in _FORM_RE:
        if rx.search(folded):
            found.add(code)
            folded = rx.sub(" ", folded)
    words = re.sub(r"[^A-Z0-9]+", " ", folded).split()
    for start in range(max(0, len(words) - 5), len(words)):
        tail = " ".join(words[start:])
        if words[start] in ("SPOLKA", "SP", "PROSTA") and any(
            f.startswith(tail) for f in _FORM_WORDS
        ):
            return " ".join(words[:start]), found, True
    return folded, found, False


def _words(text: str) -> list[str]:
    return re.sub(r"[^A-Z0-9]+", " ", text.replace("'", "").replace("’", "")).split()


def _similar(a: str, b: str) -> bool:
    """One edit apart (typo, KOWALSKI/KOWALSKA) and long enough to mean it."""
    if a == b or min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


_PLURAL_ENDINGS = [
    tuple(pair.split(":"))
    for pair in _wordset("DZKI:DZCY DZKA:DZCY SKI:SCY SKA:SCY CKI:CCY CKA:CCY")
]
_PLURAL_ENDINGS.sort(key=lambda pair: -len(pair[0]))


def _plurals(surname: str) -> set[str]:
    """Family forms on joint accounts: KOWALSKI/KOWALSKA → KOWALSCY, NOWAK → NOWAKOWIE."""
    for suffix, plural in _PLURAL_ENDINGS:
        if surname.endswith(suffix):
            return {surname[: -len(suffix)] + plural}
    return {(surname[:-1] if surname.endswith("A") else surname) + "OWIE"}


def _split_name_and_address(name: str, *, digits: bool) -> tuple[str, str]:
    """A bank may put the address into the name field: cut at a street (or a number).

    Company names may hold numbers (``KANTOR 24``), so for them only a street
    marker or a postal code starts the address.
    """
    tokens = name.split()
    for i, token in enumerate(tokens):
        bare = fold(token).strip(".,")
        at_number = (
            any(ch.isdigit() for ch in bare) if digits else bool(re.fullmatch(r"\d\d-\d{3}", bare))
        )
        if i >= 2 and (bare in _STREET_MARKERS or at_number):
            return " ".join(tokens[:i]), " ".join(tokens[i:])
    return name, ""


# -- persons ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Person:
    primary: frozenset[str]
    others: frozenset[str]
    surname: tuple[str, ...]
    plurals: dict[str, str]

    @classmethod
    def of(cls, name: PersonName) -> _Person:
        given = [_words(fold(n)) for n in name.first_names if n.strip()]
        surname = tuple(_words(fold(name.last_name)))
        return cls(
            primary=frozenset(given[0] if given else ()),
            others=frozenset(w for g in given[1:] for w in g),
            surname=surname,
            plurals={p: part for part in surname for p in _plurals(part)},
        )


def _segments(folded: str) -> list[list[tuple[str, int]]]:
    """Holders of a (joint) account as (word, hyphen group) lists; honorifics dropped."""
    text = re.sub(r"\s*-\s*", "-", re.sub(r"['’`]", "", folded))
    segments: list[list[tuple[str, int]]] = [[]]
    group = 0
    for chunk in re.split(r"[^A-Z0-9\-,;&+/]+|(?=[,;&+/])|(?<=[,;&+/])", text):
        if not chunk:
            continue
        if chunk in _CONJUNCTIONS or chunk in ",;/":
            segments.append([])
            continue
        for word in chunk.split("-"):
            if word:
                segments[-1].append((word, group))
        group += 1
    cleaned = []
    for seg in segments:
        while seg and (seg[0][0] in _HONORIFICS or (seg[0][0] == "P" and len(seg) >= 3)):
            seg = seg[1:]
        if seg:
            cleaned.append(seg)
    return cleaned


def _person_segment(
    seg: list[tuple[str, int]], who: _Person, cut_last: bool, inherit: bool
) -> tuple[Decision, list[Reason]]:
    """One holder. Each word is classified: ``S`` surname part, ``P`` first given
    name, ``G`` another given name, ``I`` its initial, ``s``/``p`` one edit from
    the surname / given name, ``-`` a cut-off remnant too short to count, ``U``
    unknown. ``cut_last``: the last word may be cut at a field width;
    ``inherit``: a lone given name on a joint account shares the surname
    written next to the other holder (``NOWAK JAN I ANNA``).
    """
    kinds: list[str] = []
    parts: set[str] = set()
    reasons: list[Reason] = []
    for i, (w, group) in enumerate(seg):
        cut = cut_last and i == len(seg) - 1
        continues = i > 0 and kinds[-1] == "S" and seg[i - 1][1] == group  # NOWAK-KOW…
        if w in who.surname or w in who.plurals:
            kinds.append("S")
            part = who.plurals.get(w, w)
            parts.update(who.surname[who.surname.index(part) :] if cut else (part,))
        elif (
            cut
            and (continues or not parts)
            and len(w) >= MIN_TRUNCATED_PART
            and any(s.startswith(w) for s in who.surname)
        ):
            kinds.append("S")  # the parts after the cut one were cut off with it
            first = next(k for k, s in enumerate(who.surname) if s.startswith(w))
            parts.update(who.surname[first:])
            reasons.append(Reason.TRUNCATED)
        elif w in who.primary:
            kinds.append("P")
        elif w in who.others:
            kinds.append("G")
        elif cut and len(w) >= MIN_TRUNCATED_PART and any(p.startswith(w) for p in who.primary):
            kinds.append("P")
            reasons.append(Reason.TRUNCATED)
        elif cut and any(s.startswith(w) for s in (*who.surname, *who.primary, *who.others)):
            kinds.append("-")  # too little of a name left to count either way ...
            reasons.append(Reason.TRUNCATED)
            cut_part = next((k for k, s in enumerate(who.surname) if s.startswith(w)), None)
            if parts and cut_part is not None:  # ... unless it continues a matched surname
                parts.update(who.surname[cut_part:])
        elif len(w) == 1 and any(p[0] == w for p in who.primary):
            kinds.append("I")
        elif len(w) == 1 and any(o[0] == w for o in who.others):
            kinds.append("-")
        elif any(_similar(w, s) for s in who.surname):
            kinds.append("s")
        elif any(_similar(w, p) for p in who.primary):
            kinds.append("p")
        else:
            kinds.append("U")
    if inherit:
        parts.update(who.surname)
    surname_groups = {seg[i][1] for i, k in enumerate(kinds) if k == "S"}
    unknown = [i for i, k in enumerate(kinds) if k == "U"]
    if parts == set(who.surname) and parts:
        surname = "FULL"
    elif parts or "s" in kinds:
        surname = "PARTIAL"
        reasons.append(Reason.SURNAME_PARTIAL if parts else Reason.SURNAME_SIMILAR)
    else:
        surname = "ABSENT"
    given = next((g for g in "PpGI" if g in kinds), "")
    if not seg:
        return Decision.UNSURE, [Reason.NO_NAME]
    if surname == "ABSENT":
        if unknown:
            return Decision.MISMATCH, [*reasons, Reason.DIFFERENT_SURNAME]
        return Decision.UNSURE, [*reasons, Reason.SURNAME_MISSING]
    if given != "P":
        if unknown and given in ("", "I"):
            return Decision.MISMATCH, [*reasons, Reason.DIFFERENT_GIVEN_NAME]
        why = {
            "p": Reason.GIVEN_NAME_SIMILAR,
            "G": Reason.GIVEN_NAME_SECONDARY,
            "I": Reason.GIVEN_NAME_INITIAL,
            "": Reason.GIVEN_NAME_MISSING,
        }[given]
        return Decision.UNSURE, [*reasons, why]
    if surname == "PARTIAL" or "s" in kinds:  # "s": a second holder's KOWALSKA
        return Decision.UNSURE, [*reasons, Reason.EXTRA_NAME_PART]
    p_idx = kinds.index("P")
    s_idx = kinds.index("S") if "S" in kinds else len(seg)
    for i in unknown:
        middle = p_idx < i < s_idx if p_idx < s_idx else i > p_idx
        if not middle or seg[i][1] in surname_groups:
            return Decision.UNSURE, [*reasons, Reason.EXTRA_NAME_PART]
    if unknown:
        reasons.append(Reason.EXTRA_GIVEN_NAME)
    return Decision.MATCH, [Reason.NAME_MATCH, *reasons]


_RANK = {Decision.MATCH: 2, Decision.UNSURE: 1, Decision.MISMATCH: 0}


def _match_person(name: str, person: PersonName) -> NameMatch:
    who = _Person.of(person)
    compact = " ".join(name.split())
    cut = len(compact) in FIELD_WIDTHS and (compact[-1:].isalnum() or compact.endswith("-"))
    segments = _segments(fold(compact))
    if not segments or not who.surname:
        return NameMatch(Decision.UNSURE, (Reason.NO_NAME,))
    flat = {w for seg in segments for w, _ in seg}
    surname_elsewhere = bool(flat & (set(who.surname) | set(who.plurals)))
    best: NameMatch | None = None
    for n, seg in enumerate(segments):
        given_only = all(w in who.primary or w in who.others for w, _ in seg)
        inherit = (len(seg) == 1 or given_only) and len(segments) > 1 and surname_elsewhere
        decision, reasons = _person_segment(seg, who, cut and n == len(segments) - 1, inherit)
        if len(segments) > 1:
            reasons.append(Reason.JOINT_ACCOUNT)
        candidate = NameMatch(decision, tuple(dict.fromkeys(reasons)), " ".join(w for w, _ in seg))
        if best is None or _RANK[decision] > _RANK[best.decision]:
            best = candidate
    assert best is not None
    return best


# -- companies -------------------------------------------------------------------


def _nips(folded: str) -> set[str]:
    """Valid NIPs written in the text (``NIP 123-456-32-18`` or bare ten digits)."""
    found = set()
    for raw in re.findall(r"(?<![\d-])\d{3}-?\d{2,3}-?\d{2,3}-?\d{2,3}(?![\d-])", folded):
        digits = raw.replace("-", "")
        weights = (6, 5, 7, 2, 3, 4, 5, 6, 7)
        if len(digits) == 10 and sum(
            int(d) * w for d, w in zip(digits, weights, strict=False)
        ) % 11 == int(digits[9]):
            found.add(digits)
    return found


def _company_words(text: str) -> list[str]:
    return _words(text.replace("&", " I "))


def _match_company(name: str, customer: CustomerIdentity) -> NameMatch:
    compact = " ".join(name.split())
    folded = fold(compact)
    nips = _nips(folded)
    folded = re.sub(r"\bNIP\b[:.]?|\d{3}-?\d{2,3}-?\d{2,3}-?\d{2,3}", " ", folded)
    core, forms, form_cut = _legal_forms(folded)
    theirs = _company_words(core)
    ours_core, our_forms, _ = _legal_forms(fold(customer.legal_name))
    our_forms |= _legal_forms(fold(customer.legal_form))[1]
    ours = _company_words(ours_core)
    cut = form_cut or (len(compact) in FIELD_WIDTHS and compact[-1:].isalnum())
    reasons: list[Reason] = []
    own_nip = re.sub(r"\D", "", customer.nip)
    if own_nip and nips:
        if own_nip not in nips:
            return NameMatch(Decision.MISMATCH, (Reason.DIFFERENT_NIP,), compact)
        reasons.append(Reason.NIP_MATCH)
    same = sorted(theirs) == sorted(ours)  # a bank may put an owner's name first
    if not same and cut and theirs and len(theirs) <= len(ours):
        same = theirs[:-1] == ours[: len(theirs) - 1] and ours[len(theirs) - 1].startswith(
            theirs[-1]
        )
        if same:
            reasons.append(Reason.TRUNCATED)
    if same and theirs:
        reasons.insert(0, Reason.COMPANY_NAME_MATCH)
        if forms and our_forms and not forms & our_forms:
            return NameMatch(Decision.MISMATCH, (*reasons, Reason.DIFFERENT_LEGAL_FORM), compact)
        if our_forms and not forms and not cut and Reason.NIP_MATCH not in reasons:
            return NameMatch(Decision.UNSURE, (*reasons, Reason.LEGAL_FORM_MISSING), compact)
        return NameMatch(Decision.MATCH, tuple(reasons), compact)
    owner = customer.person
    owner_words = (
        set(_words(fold(f"{' '.join(owner.first_names)} {owner.last_name}"))) if owner else set()
    )
    shared = {w for w in theirs if len(w) >= 3} & set(ours) - owner_words
    if shared or Reason.NIP_MATCH in reasons:
        return NameMatch(Decision.UNSURE, (*reasons, Reason.COMPANY_NAME_PARTIAL), compact)
    return NameMatch(Decision.MISMATCH, (Reason.DIFFERENT_COMPANY,), compact)


# -- addresses -------------------------------------------------------------------


def _address_parts(text: str) -> tuple[str, list[str], set[str]]:
    folded = fold(text)
    postal = ""
    m = re.search(r"(?<!\d)(\d{2})\s*-?\s*(\d{3})(?!\d)", folded)
    if m:
        postal = f"{m[1]}-{m[2]}"
        folded = folded[: m.start()] + " " + folded[m.end() :]
    numbers = re.findall(r"\d+[A-Z]?(?![A-Z])", folded)
    words = {w for w in re.findall(r"[A-Z]{2,}", folded) if w not in _ADDRESS_NOISE}
    return postal, numbers, words


def _address_verdict(sender: str, addresses: Sequence[PostalAddress]) -> Reason | None:
    """ADDRESS_MATCH, ADDRESS_MISMATCH, or None when nothing can be compared."""
    postal, numbers, words = _address_parts(sender)
    verdicts = []
    for addr in addresses:
        c_postal, c_numbers, c_words = _address_parts(
            f"{addr.street} {addr.postal_code} {addr.city}"
        )
        overlap = any(
            a == b or (min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a)))
            for a in words
            for b in c_words
        )
        contradicts = (
            (postal and c_postal and postal != c_postal)
            or (numbers and c_numbers and numbers[0] != c_numbers[0])
            or (words and c_words and not overlap)
        )
        if contradicts:
            verdicts.append(Reason.ADDRESS_MISMATCH)
        elif (
            (postal and postal == c_postal) or (numbers and numbers[:1] == c_numbers[:1]) or overlap
        ):
            verdicts.append(Reason.ADDRESS_MATCH)
    if Reason.ADDRESS_MATCH in verdicts:
        return Reason.ADDRESS_MATCH
    return Reason.ADDRESS_MISMATCH if verdicts else None


# -- the decision ----------------------------------------------------------------


def match_sender(
    sender_name: str, sender_address: str | None, customer: CustomerIdentity
) -> NameMatch:
    """DEP-3: does the holder of the sending account match ``customer``?"""
    is_company = customer.kind is CustomerKind.COMPANY
    name, tail = _split_name_and_address(" ".join(sender_name.split()), digits=not is_company)
    if not _words(fold(name)):
        return NameMatch(Decision.UNSURE, (Reason.NO_NAME,))
    if is_company:
        result = _match_company(name, customer)
        if customer.person is not None and result.decision is not Decision.MATCH:
            core, _, _ = _legal_forms(fold(name))
            owner = _match_person(core, customer.person)
            if (
                _RANK[owner.decision] >= _RANK[result.decision]
                and owner.decision is not Decision.MISMATCH
            ):
                result = NameMatch(
                    owner.decision, (*owner.reasons, Reason.PROPRIETOR_NAME), owner.holder
                )
    else:
        assert customer.person is not None  # __post_init__
        _, forms, _ = _legal_forms(fold(name))
        if forms - {"SC"}:
            return NameMatch(Decision.MISMATCH, (Reason.SENDER_IS_COMPANY,), name)
        result = _match_person(name, customer.person)
        if forms and result.decision is Decision.MATCH:
            result = NameMatch(
                Decision.UNSURE, (*result.reasons, Reason.SENDER_IS_COMPANY), result.holder
            )
    address = sender_address if sender_address and sender_address.strip() else tail
    verdict = (
        _address_verdict(address, customer.addresses) if address and customer.addresses else None
    )
    if verdict is None:
        return result
    decision = result.decision
    if decision is Decision.MATCH and verdict is Reason.ADDRESS_MISMATCH:
        decision = Decision.UNSURE  # DEP-5: staff ask the customer
    return NameMatch(decision, (*result.reasons, verdict), result.holder)
