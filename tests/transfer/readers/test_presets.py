"""Tests of the vendor presets against the sample exports in tests/transfer/data."""

from __future__ import annotations

from pathlib import Path

import pytest

from guanxi.transfer.mapping import (
    FIELDS,
    MappingError,
    _validate_preset,
    detect_preset,
    detect_preset_object,
    list_presets,
    load_preset,
    preset_defaults,
    propose_mapping,
)
from guanxi.transfer.readers import open_table

DATA = Path(__file__).resolve().parents[1] / "data"

# (vendor, object type) -> sample export
VENDOR_FILES: dict[tuple[str, str], str] = {
    ("salesforce", "contacts"): "salesforce_contacts.csv",
    ("salesforce", "companies"): "salesforce_accounts.csv",
    ("salesforce", "leads"): "salesforce_leads.csv",
    ("salesforce", "deals"): "salesforce_opportunities.csv",
    ("salesforce", "activities"): "salesforce_tasks.csv",
    ("hubspot", "contacts"): "hubspot_contacts.csv",
    ("hubspot", "companies"): "hubspot_companies.csv",
    ("hubspot", "leads"): "hubspot_leads.csv",
    ("hubspot", "deals"): "hubspot_deals.csv",
    ("hubspot", "activities"): "hubspot_calls.csv",
    ("zoho", "contacts"): "zoho_contacts.csv",
    ("zoho", "companies"): "zoho_accounts.csv",
    ("zoho", "leads"): "zoho_leads.csv",
    ("zoho", "deals"): "zoho_deals.csv",
    ("zoho", "activities"): "zoho_tasks.csv",
    ("pipedrive", "contacts"): "pipedrive_persons.csv",
    ("pipedrive", "companies"): "pipedrive_organizations.csv",
    ("pipedrive", "leads"): "pipedrive_leads.csv",
    ("pipedrive", "deals"): "pipedrive_deals.csv",
    ("pipedrive", "activities"): "pipedrive_activities.csv",
    ("fxiaoke", "contacts"): "fxiaoke_contacts.xlsx",
    ("fxiaoke", "companies"): "fxiaoke_accounts.xlsx",
    ("fxiaoke", "leads"): "fxiaoke_leads.xlsx",
    ("fxiaoke", "deals"): "fxiaoke_opportunities.xlsx",
    ("fxiaoke", "activities"): "fxiaoke_activities.xlsx",
}
EXTRA_ACTIVITY_FILES = {
    "salesforce_events.csv": ("salesforce", "meeting"),
    "hubspot_tasks.csv": ("hubspot", None),
    "zoho_calls.csv": ("zoho", "call"),
}

# Targets that a sample export of each object must fill: one of each group.
NAME = ("full_name", "family_name", "given_name")
IMPORTANT: dict[str, list[tuple[str, ...]]] = {
    "contacts": [("email",), ("mobile",), ("company", "company_external_id"), ("owner",), ("title",), NAME],
    "companies": [("name",), ("website", "domain"), ("city",), ("owner",)],
    "leads": [("company_name",), ("owner",), NAME],
    "deals": [
        ("name",),
        ("amount",),
        ("stage",),
        ("expected_close_date",),
        ("owner",),
        ("company", "company_external_id"),
    ],
    "activities": [("body", "subject"), ("kind", "subject"), ("owner",), ("start_at", "due_at")],
}


def headers_of(name: str) -> list[str]:
    with open_table(DATA / name) as table:
        return table.headers


def test_all_presets_load() -> None:
    assert list_presets() == ["fxiaoke", "hubspot", "pipedrive", "salesforce", "zoho"]
    for name in list_presets():
        preset = load_preset(name)
        assert preset["vendor"] == name
        assert set(preset["objects"]) == set(FIELDS), name
        for section in preset["objects"].values():
            assert section["columns"]


def test_load_preset_returns_a_copy() -> None:
    first = load_preset("salesforce")
    first["objects"]["contacts"]["columns"]["Id"] = None
    assert load_preset("salesforce")["objects"]["contacts"]["columns"]["Id"] == "external_id"


def test_unknown_preset() -> None:
    with pytest.raises(MappingError, match="unknown preset 'oracle'"):
        load_preset("oracle")
    with pytest.raises(MappingError, match="unknown preset"):
        load_preset("../salesforce")


def test_invalid_preset_is_refused() -> None:
    with pytest.raises(MappingError, match="unknown target 'emial' for contacts"):
        _validate_preset("x", {"objects": {"contacts": {"columns": {"E": "emial"}}}})
    with pytest.raises(MappingError, match="needs a 'columns' mapping"):
        _validate_preset("x", {"objects": {"contacts": {}}})
    with pytest.raises(MappingError, match="unknown key"):
        _validate_preset("x", {"objects": {"contacts": {"columns": {}, "colour": {}}}})


@pytest.mark.parametrize(("vendor", "obj"), sorted(VENDOR_FILES))
def test_detect_preset_on_each_vendor_file(vendor: str, obj: str) -> None:
    headers = headers_of(VENDOR_FILES[(vendor, obj)])
    assert detect_preset(headers) == vendor
    assert detect_preset_object(headers) == obj


@pytest.mark.parametrize("name", sorted(EXTRA_ACTIVITY_FILES))
def test_detect_preset_on_other_activity_files(name: str) -> None:
    headers = headers_of(name)
    vendor, _kind = EXTRA_ACTIVITY_FILES[name]
    assert detect_preset(headers) == vendor
    assert detect_preset_object(headers) == "activities"


@pytest.mark.parametrize(
    "name",
    ["gbk_contacts.csv", "utf16_contacts.txt", "messy_contacts.csv", "semicolon_deals.csv", "contacts.json"],
)
def test_generic_files_are_not_taken_for_a_vendor(name: str) -> None:
    assert detect_preset(headers_of(name)) is None


def test_detect_preset_nothing() -> None:
    assert detect_preset([]) is None
    assert detect_preset(["Email", "Phone"]) is None
    assert detect_preset_object(["Email"], "salesforce") is None


def test_zoho_and_hubspot_record_id_tell_vendors_apart() -> None:
    zoho = ["Record Id", "Contact Owner.id", "Contact Owner", "First Name", "Last Name", "Account Name.id"]
    assert detect_preset(zoho) == "zoho"
    assert (
        detect_preset(["Record ID", "First Name", "Last Name", "Contact owner", "Associated Company"])
        == "hubspot"
    )


@pytest.mark.parametrize(("vendor", "obj"), sorted(VENDOR_FILES))
def test_each_preset_maps_its_sample_file_completely(vendor: str, obj: str) -> None:
    headers = headers_of(VENDOR_FILES[(vendor, obj)])
    columns = load_preset(vendor)["objects"][obj]["columns"]
    # Every column of the export is known to the preset (mapped, or deliberately null).
    assert [h for h in headers if h not in columns] == []
    mapping = propose_mapping(headers, obj, vendor)
    # Every column the preset maps is mapped (no target lost to an earlier column).
    assert [h for h in headers if columns[h] is not None and mapping[h] is None] == []
    targets = {t for t in mapping.values() if t}
    assert "external_id" in targets
    missing = [group for group in IMPORTANT[obj] if not targets.intersection(group)]
    assert missing == [], missing
    # The proposal only uses targets valid for the object.
    for t in targets:
        assert t in FIELDS[obj] or t.startswith("custom:")


@pytest.mark.parametrize("vendor", ["salesforce", "hubspot", "zoho", "pipedrive"])
def test_related_record_ids_are_mapped(vendor: str) -> None:
    for obj in ("contacts", "deals"):
        mapping = propose_mapping(headers_of(VENDOR_FILES[(vendor, obj)]), obj, vendor)
        assert "company_external_id" in mapping.values(), (vendor, obj)


def test_salesforce_contact_mapping_values() -> None:
    mapping = propose_mapping(headers_of("salesforce_contacts.csv"), "contacts", "salesforce")
    assert mapping["Id"] == "external_id"
    assert mapping["AccountId"] == "company_external_id"
    assert mapping["FirstName"] == "given_name"
    assert mapping["LastName"] == "family_name"
    assert mapping["MobilePhone"] == "mobile"
    assert mapping["Phone"] == "work_phone"
    assert mapping["MailingState"] == "province"
    assert mapping["SystemModstamp"] is None


def test_fxiaoke_chinese_columns() -> None:
    mapping = propose_mapping(headers_of("fxiaoke_contacts.xlsx"), "contacts", "fxiaoke")
    assert mapping["唯一性ID"] == "external_id"
    assert mapping["姓名"] == "full_name"
    assert mapping["客户名称"] == "company"
    assert mapping["手机"] == "mobile"
    assert mapping["微信"] == "wechat"
    assert mapping["负责人"] == "owner"
    deals = propose_mapping(headers_of("fxiaoke_opportunities.xlsx"), "deals", "fxiaoke")
    assert deals["结单日期"] == "expected_close_date"
    assert deals["销售阶段"] == "stage"
    assert deals["商机金额"] == "amount"


def test_pipedrive_activity_values() -> None:
    preset = load_preset("pipedrive")
    values = preset["objects"]["activities"]["values"]
    assert values["kind"]["Call"] == "call"
    assert values["done"]["Done"] == "true"
    assert values["done"]["Yes"] == "true"  # quoted in YAML, not a boolean


def test_preset_defaults_infer_kind_from_columns() -> None:
    for name, (vendor, kind) in EXTRA_ACTIVITY_FILES.items():
        headers = headers_of(name)
        mapping = propose_mapping(headers, "activities", vendor)
        defaults = preset_defaults(vendor, "activities", mapping)
        if kind is None:
            assert mapping["Task Type"] == "kind"
            assert "kind" not in defaults
        elif mapping_has_kind(mapping):
            assert "kind" not in defaults
        else:
            assert defaults["kind"] == kind, name
    calls = propose_mapping(headers_of("hubspot_calls.csv"), "activities", "hubspot")
    assert preset_defaults("hubspot", "activities", calls) == {"kind": "call"}
    events = propose_mapping(headers_of("salesforce_events.csv"), "activities", "salesforce")
    assert events["EventSubtype"] == "kind"


def mapping_has_kind(mapping: dict[str, str | None]) -> bool:
    return "kind" in mapping.values()


def test_preset_exact_columns_win_over_synonyms() -> None:
    # HubSpot's "Phone Number" is a contact's work phone, "Mobile Phone Number" the mobile.
    mapping = propose_mapping(["Mobile Phone Number", "Phone Number"], "contacts", "hubspot")
    assert mapping == {"Mobile Phone Number": "mobile", "Phone Number": "work_phone"}
    # A column the preset ignores stays unmapped even though a synonym would match.
    assert propose_mapping(["Description", "Fax"], "contacts", "salesforce") == {
        "Description": "notes",
        "Fax": None,
    }
    assert propose_mapping(["Create Date", "Email"], "contacts", "hubspot") == {
        "Create Date": None,
        "Email": "email",
    }
