"""Validation tables for customer data (REG-2, REG-3), bank accounts (BANK-1), API keys (API-2)."""

from __future__ import annotations

from datetime import date

import pytest

from kantor.customers import validation as v
from kantor.customers import validation_banking as vb
from kantor.customers import validation_contact as vc
from kantor.customers.errors import ErrorCode, InvalidData, InvalidField
from tests.customers.data import (
    IBAN_ERSTE,
    IBAN_ING,
    IBAN_MBANK,
    company_data,
    individual_data,
    pesel_for,
)

TODAY = date(2026, 6, 15)


def field_error(call) -> InvalidField:
    with pytest.raises(InvalidField) as info:
        call()
    return info.value


# --- PESEL and age (REG-2) -------------------------------------------------


@pytest.mark.parametrize(
    ("pesel", "birth"),
    [
        ("44051401359", date(1944, 5, 14)),
        ("02070803628", date(1902, 7, 8)),
        (pesel_for(date(2008, 6, 15), 1234), date(2008, 6, 15)),  # 18 today
        (pesel_for(date(1899, 12, 31), 1), date(1899, 12, 31)),
        (" 440514 01359 ", date(1944, 5, 14)),
    ],
)
def test_valid_pesel_gives_the_birth_date_REG_2(pesel, birth):
    assert v.clean_pesel(pesel, today=TODAY)[1] == birth


@pytest.mark.parametrize(
    ("pesel", "code"),
    [
        ("44051401358", ErrorCode.INVALID_PESEL),  # check digit
        ("4405140135", ErrorCode.INVALID_PESEL),  # length
        ("4405140135X", ErrorCode.INVALID_PESEL),
        ("44133101350", ErrorCode.INVALID_PESEL),  # month 13
        ("", ErrorCode.REQUIRED),
        (pesel_for(date(2008, 6, 16), 1), ErrorCode.UNDERAGE),  # 18 tomorrow
        (pesel_for(date(2015, 1, 1), 2), ErrorCode.UNDERAGE),
    ],
)
def test_invalid_or_underage_pesel_is_refused_REG_2(pesel, code):
    error = field_error(lambda: v.clean_pesel(pesel, today=TODAY))
    assert (error.field, error.code) == ("pesel", code)


def test_age_counts_whole_years_across_leap_days_REG_2():
    born = date(2008, 2, 29)
    assert v.age_on(born, date(2026, 2, 28)) == 17
    assert v.age_on(born, date(2026, 3, 1)) == 18


# --- identity document (REG-2) ---------------------------------------------


def doc(**overrides):
    data = {
        "id_document_type": "id_card",
        "id_document_number": "ABA300000",
        "id_document_issued": "2020-01-15",
        "id_document_expires": "2030-01-15",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"id_document_number": "aba 300000"},
        {"id_document_type": "passport", "id_document_number": "EA1234567"},
        {"id_document_type": "residence card", "id_document_number": "RP1234567"},
        {"id_document_expires": TODAY.isoformat()},  # valid through today
        {"id_document_issued": date(2020, 1, 15)},
    ],
)
def test_valid_identity_documents_REG_2(overrides):
    clean = v.clean_id_document(doc(**overrides), today=TODAY)
    assert clean["id_document_number"].isalnum() and clean["id_document_number"].isupper()


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        (
            {"id_document_expires": "2026-06-14"},
            "id_document_expires",
            ErrorCode.ID_DOCUMENT_EXPIRED,
        ),
        ({"id_document_issued": "2026-06-16"}, "id_document_issued", ErrorCode.ID_DOCUMENT_DATES),
        (
            {"id_document_issued": "2030-01-15", "id_document_expires": "2029-01-15"},
            "id_document_issued",
            ErrorCode.ID_DOCUMENT_DATES,
        ),
        (
            {"id_document_issued": "2024-01-15", "id_document_expires": "2024-01-15"},
            "id_document_expires",
            ErrorCode.ID_DOCUMENT_DATES,
        ),
        ({"id_document_expires": "15.01.2030"}, "id_document_expires", ErrorCode.INVALID_DATE),
        ({"id_document_number": "ABA300001"}, "id_document_number", ErrorCode.INVALID_ID_DOCUMENT),
        ({"id_document_number": "A1"}, "id_document_number", ErrorCode.INVALID_ID_DOCUMENT),
        ({"id_document_number": ""}, "id_document_number", ErrorCode.REQUIRED),
        (
            {"id_document_type": "driving_licence"},
            "id_document_type",
            ErrorCode.INVALID_ID_DOCUMENT,
        ),
    ],
)
def test_invalid_identity_documents_are_refused_REG_2(overrides, field, code):
    error = field_error(lambda: v.clean_id_document(doc(**overrides), today=TODAY))
    assert (error.field, error.code) == (field, code)


# --- company numbers and legal form (REG-3) -------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("1234563218", "1234563218"),
        ("PL 123-456-32-18", "1234563218"),
        ("856-734-62-15", "8567346215"),
    ],
)
def test_valid_nip_REG_3(raw, clean):
    assert v.clean_nip(raw) == clean


@pytest.mark.parametrize("raw", ["1234563217", "123456321", "12345632AB"])
def test_invalid_nip_is_refused_REG_3(raw):
    assert field_error(lambda: v.clean_nip(raw)).code == ErrorCode.INVALID_NIP


@pytest.mark.parametrize("raw", ["123456785", "12345678512347", "192598184"])
def test_valid_regon_nine_or_fourteen_digits_REG_3(raw):
    assert v.clean_regon(raw) == raw


@pytest.mark.parametrize("raw", ["123456786", "12345678512346", "1234567"])
def test_invalid_regon_is_refused_REG_3(raw):
    assert field_error(lambda: v.clean_regon(raw)).code == ErrorCode.INVALID_REGON


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("sp. z o.o.", "sp_zoo"),
        ("Sp. z o. o.", "sp_zoo"),
        ("spółka z ograniczoną odpowiedzialnością", "sp_zoo"),
        ("S.A.", "sa"),
        ("spółka akcyjna", "sa"),
        ("sp.k.", "spk"),
        ("sp. j.", "spj"),
        ("s.c.", "sc"),
        ("JDG", "jdg"),
        ("jednoosobowa działalność gospodarcza", "jdg"),
        ("Fundacja", "fundacja"),
        ("stowarzyszenie", "stowarzyszenie"),
        ("S.K.A.", "ska"),
    ],
)
def test_legal_forms_by_code_abbreviation_or_name_REG_3(raw, code):
    assert v.clean_legal_form(raw) == code


def test_unknown_legal_form_lists_the_choices_REG_3():
    error = field_error(lambda: v.clean_legal_form("LLC"))
    assert error.code == ErrorCode.INVALID_LEGAL_FORM
    assert "sp. z o.o." in str(error.message)


def test_representative_needs_first_and_last_name_REG_3():
    assert v.clean_full_name("representative_name", " Anna   Kowalska ") == "Anna Kowalska"
    error = field_error(lambda: v.clean_full_name("representative_name", "Anna"))
    assert (error.field, error.code) == ("representative_name", ErrorCode.INVALID_NAME)


@pytest.mark.parametrize("name", ["Jan", "Anna-Maria", "O'Brien", "Łukasz", "Żaneta Ćwik"])
def test_person_names_with_polish_letters_REG_2(name):
    assert v.clean_person_name("first_name", name) == name


@pytest.mark.parametrize("name", ["Jan2", "J@n", "--", ""])
def test_person_names_with_digits_or_symbols_are_refused_REG_2(name):
    assert field_error(lambda: v.clean_person_name("first_name", name)).field == "first_name"


# --- contact data ----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "country", "clean"),
    [
        ("00-001", "PL", "00-001"),
        ("00001", "PL", "00-001"),
        ("10115", "DE", "10115"),
        ("sw1a 1aa", "GB", "SW1A 1AA"),
    ],
)
def test_postal_codes(raw, country, clean):
    assert vc.clean_postal_code("postal_code", raw, country) == clean


@pytest.mark.parametrize("raw", ["0-001", "000-01", "00 001x", "ABCDE"])
def test_polish_postal_code_must_be_nn_nnn(raw):
    error = field_error(lambda: vc.clean_postal_code("postal_code", raw, "PL"))
    assert error.code == ErrorCode.INVALID_POSTAL_CODE


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("600100200", "+48600100200"),
        ("+48 600-100-200", "+48600100200"),
        ("0048 501 200 300", "+48501200300"),
        ("(+48) 880 000 000", "+48880000000"),
        ("+49 151 12345678", "+4915112345678"),
    ],
)
def test_mobile_phone_is_normalised_to_e164(raw, clean):
    assert vc.clean_phone(raw) == clean


@pytest.mark.parametrize("raw", ["+48 22 123 45 67", "12345", "+48 600 100 20", "phone", ""])
def test_invalid_or_landline_phone_is_refused_REG_8(raw):
    assert field_error(lambda: vc.clean_phone(raw)).field == "phone"


def test_email_is_lower_cased_and_checked():
    assert vc.clean_email(" Jan.Nowak@Example.COM ") == "jan.nowak@example.com"
    assert field_error(lambda: vc.clean_email("jan@")).code == ErrorCode.INVALID_EMAIL


def test_country_must_be_iso_alpha_2():
    assert vc.clean_country("country", "de") == "DE"
    assert field_error(lambda: vc.clean_country("country", "XX")).code == ErrorCode.INVALID_COUNTRY


# --- whole customers -------------------------------------------------------


def test_a_registration_reports_every_failing_field_at_once_REG_2():
    data = individual_data(
        pesel="44051401358", phone="22", postal_code="0000", street="", email="x@"
    )
    with pytest.raises(InvalidData) as info:
        v.clean_customer(data, today=TODAY)
    assert set(info.value.by_field) == {"pesel", "phone", "postal_code", "street", "email"}


def test_fields_of_the_other_kind_are_refused_not_ignored_REG_1():
    with pytest.raises(InvalidData) as info:
        v.clean_customer(individual_data(nip="1234563218", nick="x"), today=TODAY)
    assert set(info.value.by_field) == {"nip", "nick"}
    assert info.value.codes == {ErrorCode.UNKNOWN_FIELD}


def test_correspondence_address_is_optional_but_whole():
    clean = v.clean_customer(individual_data(), today=TODAY)
    assert clean["corr_street"] == ""
    with pytest.raises(InvalidData) as info:
        v.clean_customer(individual_data(corr_city="Kraków"), today=TODAY)
    assert set(info.value.by_field) == {"corr_street", "corr_postal_code"}


def test_valid_company_is_normalised_REG_3():
    clean = v.clean_customer(company_data(nip="PL 123-456-32-18"), today=TODAY)
    assert (clean["nip"], clean["legal_form"], clean["phone"]) == (
        "1234563218",
        "sp_zoo",
        "+48501200300",
    )


def test_an_update_checks_only_the_groups_it_touches_REG_10():
    data = individual_data(id_document_expires="2021-01-01", id_document_issued="2011-01-01")
    clean = v.clean_customer(data, today=TODAY, kind="individual", only={"phone"})
    assert clean == {"phone": "+48600100200"}


# --- bank accounts (BANK-1) ------------------------------------------------


@pytest.mark.parametrize(
    ("iban", "bank", "code"),
    [
        (IBAN_ERSTE, "Erste Bank Polska Spółka Akcyjna", "10901014"),
        ("pl27 1140 2004 0000 3002 0135 5387", "mBank Spółka Akcyjna", "11402004"),
        (IBAN_ING, "ING Bank Śląski Spółka Akcyjna", "10500099"),
    ],
)
def test_polish_iban_names_the_bank_by_sorting_code_BANK_1(iban, bank, code):
    info = vb.clean_iban(iban)
    assert (info.country, info.bank_name, info.bank_code) == ("PL", bank, code)
    assert info.iban == info.iban.replace(" ", "").upper() and info.bic


def test_foreign_iban_is_accepted_without_a_polish_sorting_code_BANK_1():
    info = vb.clean_iban("DE89 3704 0044 0532 0130 00")
    assert (info.country, info.bank_code, info.bank_name) == ("DE", "", "Commerzbank")


@pytest.mark.parametrize(
    ("iban", "code"),
    [
        (IBAN_MBANK[:-1] + "8", ErrorCode.INVALID_IBAN),  # checksum
        ("XX61109010140000071219812874", ErrorCode.INVALID_IBAN),  # country
        ("PL6110901014000007121981287", ErrorCode.INVALID_IBAN),  # length
        ("PL36109010150000071219812874", ErrorCode.INVALID_IBAN),  # national check digit
        ("PL41999999990000000000000000", ErrorCode.UNKNOWN_BANK),  # no such sorting code
        ("", ErrorCode.REQUIRED),
    ],
)
def test_invalid_iban_is_refused_naming_the_field_BANK_1(iban, code):
    error = field_error(lambda: vb.clean_iban(iban))
    assert (error.field, error.code) == ("iban", code)


def test_currency_and_holder_name_BANK_1():
    assert vb.clean_currency(" eur") == "EUR"
    assert field_error(lambda: vb.clean_currency("XYZ")).code == ErrorCode.INVALID_CURRENCY
    assert vb.clean_holder_name("  Jan   Nowak ") == "Jan Nowak"
    assert field_error(lambda: vb.clean_holder_name(" ")).code == ErrorCode.REQUIRED


# --- API-key roles (API-2) -------------------------------------------------


def test_roles_are_checked_and_ordered_API_2():
    assert vb.clean_roles("market_fx, READER,reader") == ["reader", "market_fx"]
    assert vb.clean_roles(["admin"]) == ["admin"]
    assert field_error(lambda: vb.clean_roles("reader,trader")).code == ErrorCode.INVALID_ROLES
    assert field_error(lambda: vb.clean_roles("")).code == ErrorCode.INVALID_ROLES
