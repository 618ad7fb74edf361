"""ISO 20022 pain.001.001.03 credit-transfer files for the operator's bank (WD-4).

Version 03 is the one every Polish and SEPA bank accepts. One file per
currency and debtor account; inside it one payment block (``PmtInf``) per
transfer type, since the service level and charge bearer differ:

==============  ===========================  ==============
type            when                          charges
==============  ===========================  ==============
``SEPA``        EUR to a SEPA country         ``SLEV``, service level SEPA
``DOMESTIC``    PLN to a Polish account       ``SLEV`` (Elixir)
other           anything else                 ``SHAR`` (each side pays its bank)
==============  ===========================  ==============

Each transfer's ``EndToEndId`` and the start of its title are our reference
(``WD-000123``): banks echo them on the statement, which is how the payout
is later recognised as settled or returned. Decision (Ustrd is 140
characters): the reference comes first so it is never cut off.

No third-party library: ``sepaxml`` writes EUR SEPA files only, and this is
one short, fixed structure, written with the standard library's escaping.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from kantor.banking.statements.model import is_iban
from kantor.domain.money import Money

__all__ = ["SEPA_COUNTRIES", "render_pain001", "transfer_type"]

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"

#: EEA countries and the others in the SEPA scheme (IBAN country codes).
_SEPA = (
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK "
    "CH GB MC SM VA AD GI GG JE IM PM BL MF GF GP MQ RE YT AX"
)
SEPA_COUNTRIES = frozenset(_SEPA.split(" "))


def transfer_type(currency: str, iban: str) -> str:
    """The reference's ``transferType`` for a payout (NewTransferResponse)."""
    country = iban[:2].upper()
    if currency == "PLN" and country == "PL":
        return "DOMESTIC"
    if currency == "EUR" and country in SEPA_COUNTRIES:
        return "SEPA"
    return "SWIFT SHA SPOT"


def _t(tag: str, text: str | Decimal | int, **attrs: str) -> str:
    attr = "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items())
    return f"<{tag}{attr}>{escape(str(text))}</{tag}>"


def _account(iban: str) -> str:
    compact = "".join(iban.split()).upper()
    if is_iban(compact):
        return f"<Id>{_t('IBAN', compact)}</Id>"
    return f"<Id><Othr>{_t('Id', compact[:34])}</Othr></Id>"


def _agent(bic: str) -> str:
    if bic:
        return f"<FinInstnId>{_t('BIC', bic)}</FinInstnId>"
    return f"<FinInstnId><Othr>{_t('Id', 'NOTPROVIDED')}</Othr></FinInstnId>"


def _amount(minor: int, cur: str) -> str:
    return str(Money.from_minor(minor, cur).amount)


def _transaction(payout) -> str:
    ref = payout.reference
    title = f"{ref} {payout.title}".strip()[:140]
    creditor = _t("Nm", payout.recipient_name[:70] or "?")
    country = payout.destination_iban[:2].upper()
    if country.isalpha():
        lines = [
            payout.recipient_address[i : i + 70] for i in (0, 70) if payout.recipient_address[i:]
        ]
        creditor += (
            f"<PstlAdr>{_t('Ctry', country)}{''.join(_t('AdrLine', a) for a in lines)}</PstlAdr>"
        )
    amount = _amount(payout.net_minor, payout.currency)
    agent = f"<CdtrAgt>{_agent(payout.destination_bic)}</CdtrAgt>" if payout.destination_bic else ""
    return (
        "<CdtTrfTxInf>"
        f"<PmtId>{_t('InstrId', ref)}{_t('EndToEndId', ref)}</PmtId>"
        f"<Amt>{_t('InstdAmt', amount, Ccy=payout.currency)}</Amt>"
        f"{agent}<Cdtr>{creditor}</Cdtr>"
        f"<CdtrAcct>{_account(payout.destination_iban)}</CdtrAcct>"
        f"<RmtInf>{_t('Ustrd', title)}</RmtInf>"
        "</CdtTrfTxInf>"
    )


def render_pain001(message_id: str, account, payouts: Sequence, *, created_at: datetime) -> str:
    """The pain.001.001.03 document paying ``payouts`` (their net amounts) from ``account``."""
    groups: dict[str, list] = defaultdict(list)
    for payout in payouts:
        groups[transfer_type(payout.currency, payout.destination_iban)].append(payout)
    total = sum(p.net_minor for p in payouts)
    cur = account.currency
    blocks = []
    for n, (kind, items) in enumerate(sorted(groups.items()), start=1):
        sepa = kind == "SEPA"
        subtotal = _amount(sum(p.net_minor for p in items), cur)
        service = "<PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl></PmtTpInf>" if sepa else ""
        blocks.append(
            "<PmtInf>"
            f"{_t('PmtInfId', f'{message_id}-{n}'[:35])}<PmtMtd>TRF</PmtMtd>"
            f"{_t('NbOfTxs', len(items))}{_t('CtrlSum', subtotal)}"
            f"{service}{_t('ReqdExctnDt', created_at.date().isoformat())}"
            f"<Dbtr>{_t('Nm', account.recipient_name[:70])}</Dbtr>"
            f"<DbtrAcct>{_account(account.iban)}{_t('Ccy', cur)}</DbtrAcct>"
            f"<DbtrAgt>{_agent(account.bic)}</DbtrAgt>"
            f"<ChrgBr>{'SLEV' if kind in ('SEPA', 'DOMESTIC') else 'SHAR'}</ChrgBr>"
            + "".join(_transaction(p) for p in items)
            + "</PmtInf>"
        )
    header = (
        f"<GrpHdr>{_t('MsgId', message_id)}"
        f"{_t('CreDtTm', created_at.replace(microsecond=0).isoformat())}"
        f"{_t('NbOfTxs', len(payouts))}{_t('CtrlSum', _amount(total, cur))}"
        f"<InitgPty>{_t('Nm', account.recipient_name[:70])}</InitgPty></GrpHdr>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="{NAMESPACE}"><CstmrCdtTrfInitn>{header}{"".join(blocks)}'
        "</CstmrCdtTrfInitn></Document>\n"
    )
