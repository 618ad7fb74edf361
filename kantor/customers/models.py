"""Customers with their KYC data (REG-1..3), bank accounts (BANK-1) and API keys (API-2).

Validation of the data lives in ``kantor.customers.validation`` and the write
operations in ``kantor.customers.actions``: models only describe what is kept.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    INDIVIDUAL = "individual", _("individual")
    COMPANY = "company", _("company")


class CustomerStatus(models.TextChoices):
    """ACTIVE: registered; VERIFIED: identified (first deposit passed DEP-3 or
    staff verified the documents); SUSPENDED: service stopped pending
    explanation (REG-12, TERM-2); TERMINATED: the agreement ended (TERM-1..4)."""

    ACTIVE = "active", _("active")
    VERIFIED = "verified", _("verified")
    SUSPENDED = "suspended", _("suspended")
    TERMINATED = "terminated", _("terminated")


class IdDocumentType(models.TextChoices):
    ID_CARD = "id_card", _("ID card")
    PASSPORT = "passport", _("passport")
    RESIDENCE_CARD = "residence_card", _("residence card")


class LegalForm(models.TextChoices):
    """REG-1, REG-3: the legal forms a company customer may have (Polish law).

    Stored as the short code; validation also accepts the abbreviation or the
    full name (``kantor.customers.validation.LEGAL_FORM_ALIASES``).
    """

    SP_ZOO = "sp_zoo", "sp. z o.o. (spółka z ograniczoną odpowiedzialnością)"
    SA = "sa", "S.A. (spółka akcyjna)"
    PSA = "psa", "P.S.A. (prosta spółka akcyjna)"
    SPJ = "spj", "sp.j. (spółka jawna)"
    SPP = "spp", "sp.p. (spółka partnerska)"
    SPK = "spk", "sp.k. (spółka komandytowa)"
    SKA = "ska", "S.K.A. (spółka komandytowo-akcyjna)"
    SC = "sc", "s.c. (spółka cywilna)"
    JDG = "jdg", "jednoosobowa działalność gospodarcza"
    SPOLDZIELNIA = "spoldzielnia", "spółdzielnia"
    FUNDACJA = "fundacja", "fundacja"
    STOWARZYSZENIE = "stowarzyszenie", "stowarzyszenie"
    ODDZIAL = "oddzial", "oddział przedsiębiorcy zagranicznego"
    JEDNOSTKA = "jednostka", "jednostka organizacyjna bez osobowości prawnej"


class Customer(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="customer"
    )
    kind = models.CharField(max_length=12, choices=CustomerKind.choices)
    status = models.CharField(
        max_length=12, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE
    )
    #: The login (REG-2 e-mail; REG-3 the representative's business e-mail).
    email = models.EmailField(unique=True)
    phone = models.CharField(_("mobile phone"), max_length=20)

    # REG-2 individual
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    pesel = models.CharField(max_length=11, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    id_document_type = models.CharField(max_length=20, choices=IdDocumentType.choices, blank=True)
    id_document_number = models.CharField(max_length=30, blank=True)
    id_document_issued = models.DateField(null=True, blank=True)
    id_document_expires = models.DateField(null=True, blank=True)

    # REG-3 company
    company_name = models.CharField(max_length=200, blank=True)
    nip = models.CharField(max_length=10, blank=True)
    regon = models.CharField(max_length=14, blank=True)
    legal_form = models.CharField(max_length=100, blank=True, choices=LegalForm.choices)
    representative_name = models.CharField(max_length=200, blank=True)

    # Address (residence for individuals, registered office for companies).
    street = models.CharField(max_length=200)
    postal_code = models.CharField(max_length=12)
    city = models.CharField(max_length=100)
    country = models.CharField(max_length=2, default="PL")
    corr_street = models.CharField(max_length=200, blank=True)
    corr_postal_code = models.CharField(max_length=12, blank=True)
    corr_city = models.CharField(max_length=100, blank=True)
    corr_country = models.CharField(max_length=2, blank=True)

    #: DEP-1: the unique transfer title that assigns a deposit to this customer.
    deposit_title = models.CharField(max_length=32, unique=True)
    #: FEE-1: discount as a fraction of the commission (0.25 = a quarter off).
    fee_discount = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal(0))
    #: RATE-1: margins may differ per customer segment.
    segment = models.CharField(max_length=20, default="standard")
    is_pep = models.BooleanField(_("politically exposed person"), default=False)

    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pesel"], condition=~Q(pesel=""), name="customer_unique_pesel"
            ),
            models.UniqueConstraint(
                fields=["nip"], condition=~Q(nip=""), name="customer_unique_nip"
            ),
            # FEE-1: a discount is a fraction of the commission; outside 0..1 it
            # would make trades free or dearer without anyone deciding so.
            models.CheckConstraint(
                condition=Q(fee_discount__gte=0, fee_discount__lte=1),
                name="customer_fee_discount_fraction",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="individual", pesel__gt="", last_name__gt="")
                    | Q(kind="company", nip__gt="", company_name__gt="")
                ),
                name="customer_kyc_by_kind",
            ),
        ]
        permissions = [
            # AML-4: status changes and PEP approval are staff decisions of their own.
            ("set_customer_status", "Can verify, suspend, reactivate or terminate a customer"),
            ("approve_pep", "Can approve a politically exposed person (REG-11)"),
        ]

    @property
    def display_name(self) -> str:
        if self.kind == CustomerKind.COMPANY:
            return self.company_name
        return f"{self.first_name} {self.last_name}"

    @property
    def can_trade(self) -> bool:
        return self.status in (CustomerStatus.ACTIVE, CustomerStatus.VERIFIED)

    def __str__(self) -> str:
        return f"{self.display_name} <{self.email}>"


class BankAccount(models.Model):
    """BANK-1: a customer's own account; deposits come from and payouts go to these only."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="bank_accounts")
    iban = models.CharField(max_length=34)
    currency = models.CharField(max_length=3)
    holder_name = models.CharField(max_length=200)
    bic = models.CharField(max_length=11, blank=True)
    #: Polish sorting code (8 digits) and bank name, from the IBAN (schwifty).
    bank_code = models.CharField(max_length=8, blank=True)
    bank_name = models.CharField(max_length=200, blank=True)
    #: BANK-2: verified once the first deposit from it passed identification.
    verified_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "iban"], name="bank_account_unique")
        ]

    @property
    def verified(self) -> bool:
        return self.verified_at is not None

    def __str__(self) -> str:
        return f"{self.iban} ({self.currency})"


class ApiRole(models.TextChoices):
    """API-2 roles, as in the reference's x-c1-roles."""

    ADMIN = "admin", "admin"
    READER = "reader", "reader"
    DIRECT_FX = "direct_fx", "direct_fx"
    MARKET_FX = "market_fx", "market_fx"
    TRANSFER_INTERNAL = "transfer_internal", "transfer_internal"
    TRANSFER_IBAN = "transfer_iban", "transfer_iban"


class ApiKey(models.Model):
    """API-2: a key with roles and the customer's RSA public key.

    The key itself is stored hashed (for lookup) and encrypted with a key
    derived from SECRET_KEY (so the customer can view it again after an SMS
    code, API-2); ``prefix`` is the start shown in ``orderedBy`` (API/1a2b3…).
    """

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    key_encrypted = models.TextField()
    public_key_pem = models.TextField(blank=True)
    roles = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        permissions = [("revoke_apikey", "Can revoke an API key")]

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_any_role(self, roles) -> bool:
        return bool(set(self.roles) & set(roles))

    def __str__(self) -> str:
        return f"{self.prefix}… ({', '.join(self.roles)})"
