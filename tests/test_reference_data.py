from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from niryat.core.actions import do_update_odop_product
from niryat.core.models import Centre, District, OdopProduct, PartnerOrg, State
from niryat.core.reference_data import ReferenceDataError, load_reference_data


def test_all_75_up_districts_with_hindi_names_divisions_and_odop_products(db):
    assert District.objects.count() == 75
    assert Centre.objects.count() == 75
    gorakhpur = District.objects.get(lgd_code=148)
    assert (gorakhpur.name_en, gorakhpur.name_hi, gorakhpur.division_en) == (
        "Gorakhpur",
        "गोरखपुर",
        "Gorakhpur",
    )
    assert gorakhpur.state.name_hi == "उत्तर प्रदेश"
    assert sorted(gorakhpur.odop_products.values_list("name_en", "name_hi")) == [
        ("Readymade garments", "रेडीमेड वस्त्र"),
        ("Terracotta", "टेराकोटा"),
    ]
    # Every district has at least one ODOP product, every product a Hindi name.
    assert not District.objects.filter(odop_products__isnull=True).exists()
    assert not OdopProduct.objects.filter(name_hi="").exists()
    assert District.objects.values("division_en").distinct().count() == 18
    assert PartnerOrg.objects.filter(code="fieo").exists()


def test_unverified_products_keep_their_flag(db):
    auraiya = OdopProduct.objects.get(district__name_en="Auraiya")
    assert auraiya.verified is False
    assert OdopProduct.objects.get(district__lgd_code=148, name_en="Terracotta").verified is True


def test_reloading_changes_nothing(db):
    before = list(OdopProduct.objects.order_by("pk").values())
    report = load_reference_data(settings.REFERENCE_DATA_DIR)
    assert report.created == {}
    assert report.updated == {}
    assert list(OdopProduct.objects.order_by("pk").values()) == before


def test_management_command_reports_what_it_did(db, capsys):
    call_command("load_reference_data")
    assert "created nothing; updated nothing" in capsys.readouterr().out


def test_staff_confirmation_survives_a_reload(db, alice):
    product = OdopProduct.objects.get(district__name_en="Auraiya")
    do_update_odop_product(product, acting_user=alice, verified=True)
    load_reference_data(settings.REFERENCE_DATA_DIR)
    product.refresh_from_db()
    assert product.verified is True


def copy_reference(tmp_path: Path) -> Path:
    target = tmp_path / "state"
    shutil.copytree(settings.REFERENCE_DATA_DIR, target)
    return target


def test_a_bad_row_loads_nothing_and_names_the_line(db, tmp_path):
    folder = copy_reference(tmp_path)
    odop = folder / "odop_products.csv"
    text = odop.read_text(encoding="utf-8")
    odop.write_text(text + "99999,Ghost product,भूत,original,true,,test\n", encoding="utf-8")
    (folder / "districts.csv").write_text(
        (folder / "districts.csv")
        .read_text(encoding="utf-8")
        .replace("Gorakhpur,गोरखपुर", "Gorakhpur,गोरखपुर नया"),
        encoding="utf-8",
    )
    with pytest.raises(
        ReferenceDataError, match=r"odop_products.csv line 96: no district has LGD code 99999"
    ):
        load_reference_data(folder)
    # The district rename earlier in the same load was rolled back.
    assert District.objects.get(lgd_code=148).name_hi == "गोरखपुर"


def test_missing_columns_are_named(db, tmp_path):
    folder = copy_reference(tmp_path)
    (folder / "districts.csv").write_text("lgd_code,name_en\n1,X\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="name_hi, division_en, division_hi"):
        load_reference_data(folder)


def test_another_state_loads_from_the_same_format(db, tmp_path):
    folder = tmp_path / "goa"
    folder.mkdir()
    (folder / "state.csv").write_text(
        "lgd_code,name_en,name_hi,gst_code\n30,Goa,गोवा,30\n", encoding="utf-8-sig"
    )
    (folder / "districts.csv").write_text(
        "lgd_code,name_en,name_hi,division_en,division_hi,census_2011_code,source\n"
        "9001,North Goa,उत्तर गोवा,,,585,test\n9002,South Goa,दक्षिण गोवा,,,586,test\n",
        encoding="utf-8",
    )
    (folder / "odop_products.csv").write_text(
        "district_lgd_code,name_en,name_hi,listing,verified,hs_codes,source\n"
        "9001,Cashew,काजू,original,true,0801,test\n",
        encoding="utf-8",
    )
    report = load_reference_data(folder)
    assert report.created == {"states": 1, "districts": 2, "centres": 2, "ODOP products": 1}
    assert State.objects.get(lgd_code=30).districts.count() == 2
    assert OdopProduct.objects.get(name_en="Cashew").hs_codes == ["0801"]
    assert District.objects.count() == 77


def test_the_load_reports_progress_between_its_own_transactions(db):
    # The progress page reads the progress from another connection: it sees only what is
    # committed, so each report must come after a batch has committed, not inside one long
    # transaction (which also held SQLite's lock on the progress table: the page's poll failed).
    depth = len(connection.savepoint_ids)
    reports: list[tuple[int, int, int]] = []

    load_reference_data(
        settings.REFERENCE_DATA_DIR,
        on_progress=lambda done, total: reports.append(
            (done, total, len(connection.savepoint_ids))
        ),
    )

    assert len(reports) > 2
    assert {nesting for _done, _total, nesting in reports} == {depth}
    done = [done for done, _total, _nesting in reports]
    assert done == sorted(done)
    assert reports[-1][:2] == (169, 169)
