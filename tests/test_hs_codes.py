from __future__ import annotations

import csv

import pytest

from niryat.core import hs_codes
from niryat.core.hs_codes import CRAFT_TERMS_FILE, MIN_SCORE, nomenclature


def top(query: str, count: int = 3) -> list[str]:
    return [match.code for match in hs_codes.search(query)[:count]]


# The four examples of the catalogue issue (issue 4, point 2).


def test_chikan_kurta_proposes_womens_blouses_and_shirts_of_cotton_first():
    # when
    matches = hs_codes.search("chikan kurta")

    # then
    assert matches[0].code == "620630"
    assert matches[0].description.startswith("Blouses, shirts and shirt-blouses; women's or girls'")
    assert matches[0].heading_description.startswith("Blouses, shirts and shirt-blouses")
    assert "chikan, kurta" in matches[0].why
    assert "cotton" in matches[0].why
    assert all(code[:4] in {"6205", "6206", "5810"} for code in top("chikan kurta"))


def test_kaleen_in_hindi_proposes_knotted_and_woven_carpets_first():
    codes = top("कालीन")

    assert codes == ["570110", "570190", "570210"]
    assert hs_codes.search("कालीन")[0].description.startswith("Carpets and other textile floor")


def test_brass_vase_proposes_base_metal_ornaments_first():
    codes = top("brass vase")

    assert codes[0] == "830629"  # statuettes and ornaments of base metal, not plated
    assert all(code[:4] in {"8306", "7418"} for code in codes)
    assert "statuettes, ornaments" in hs_codes.search("brass vase")[0].why


def test_terracotta_proposes_ornamental_ceramics_other_than_porcelain_first():
    codes = top("terracotta")

    assert codes[0] == "691390"
    assert all(code.startswith("6913") for code in codes)


def test_a_misspelt_craft_word_is_read_as_the_glossary_term():
    matches = hs_codes.search("terracota")

    assert matches[0].code == "691390"
    assert "terracota" in matches[0].why
    assert "terracotta" in matches[0].why


def test_hindi_spellings_with_and_without_nukta_or_chandrabindu_match_alike():
    assert top("ज़री") == top("जरी")
    assert top("ज़री")[0] == "560500"
    assert top("मूंज") == top("मूँज")
    assert top("मूंज")[0][:4] in {"4601", "4602"}


def test_hindi_and_hinglish_queries_match_their_english_equivalent():
    assert top("चिकन कुर्ता") == top("chikan kurta")
    assert top("banarasi saree")[0] == "500710"
    assert top("अगरबत्ती")[0] == "330741"  # the subheading naming agarbatti
    assert top("गुड़")[0] == "170113"


def test_plain_english_words_search_the_descriptions_without_the_glossary():
    matches = hs_codes.search("cotton shirts", limit=5)

    assert len(matches) == 5
    assert all(match.score == 1.0 for match in matches)  # no glossary preference, full overlap
    assert all("cotton, shirts" in match.why for match in matches)


def test_a_six_digit_subheading_ranks_before_its_heading_on_equal_scores():
    codes = top("terracotta", 5)

    assert codes.index("691310") < codes.index("6913")


@pytest.mark.parametrize("query", ["qwxz blorf", "xyzzy", "", "   ", "of the and", "!!!"])
def test_a_query_matching_nothing_returns_nothing(query):
    assert hs_codes.search(query) == []


def test_every_result_scores_at_least_the_threshold():
    for query in ["chikan kurta", "brass vase", "woven fabrics", "furniture"]:
        assert all(match.score >= MIN_SCORE for match in hs_codes.search(query, limit=50))


def test_limit_caps_the_results():
    assert len(hs_codes.search("carpets", limit=2)) == 2


# Looking codes up


def test_an_eight_digit_indian_code_resolves_to_its_hs_subheading():
    code = hs_codes.get("69139000")

    assert code is not None
    assert (code.code, code.level, code.parent, code.section) == ("691390", 6, "6913", "XIII")
    assert code.heading == "6913"
    assert code.section_name.startswith("Articles of stone, plaster, cement")


def test_four_and_six_digit_codes_and_dotted_forms_resolve():
    heading = hs_codes.get("6913")
    assert heading is not None
    assert (heading.description, heading.level) == (
        "Statuettes and other ornamental ceramic articles",
        4,
    )
    assert hs_codes.get("6913.90.00") == hs_codes.get("691390")
    assert hs_codes.get("0101") is not None  # leading zero kept


@pytest.mark.parametrize(
    "code",
    [
        "69139",
        "691391",
        "69139100",
        "99999999",
        "9999",
        "69",
        "6913900",
        "abcd",
        "६९१३",
        "",
        "TOTAL",
    ],
)
def test_a_code_that_does_not_exist_is_refused(code):
    assert hs_codes.get(code) is None
    assert hs_codes.exists(code) is False


def test_exists():
    assert hs_codes.exists("5702") is True
    assert hs_codes.exists("57023100") is True


# The data


def test_the_nomenclature_has_all_headings_and_subheadings_of_hs_2022():
    levels = [code.level for code in nomenclature().codes.values()]

    # All but Comtrade's "not specified" codes 99, 9999 and 999999.
    assert (levels.count(2), levels.count(4), levels.count(6)) == (96, 1228, 5612)


def test_every_glossary_code_exists_in_the_hs_file():
    with CRAFT_TERMS_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))

    codes = [(row["term"], code) for row in rows for code in row["hs_codes"].split()]
    assert len(codes) > 100
    assert [(term, code) for term, code in codes if len(code) not in (4, 6)] == []
    assert [(term, code) for term, code in codes if not hs_codes.exists(code)] == []
    assert nomenclature().unknown_glossary_codes() == []


def test_every_hs_code_the_odop_products_carry_exists():
    path = CRAFT_TERMS_FILE.parents[1] / "states" / "up" / "odop_products.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))

    codes = [(row["name_en"], code) for row in rows for code in row["hs_codes"].split()]
    assert codes
    assert [(name, code) for name, code in codes if not hs_codes.exists(code)] == []


def test_the_glossary_covers_both_languages_and_every_row_has_hs_words():
    with CRAFT_TERMS_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))

    assert {row["language"] for row in rows} == {"hi", "en"}
    assert all(row["term"] and row["hs_words"] for row in rows)
    assert len({row["term"] for row in rows}) == len(rows)  # no duplicate terms


def test_an_unknown_glossary_code_is_reported_and_ignored_by_search():
    # given
    base = nomenclature()
    term = hs_codes.CraftTerm(term="zzcraft", language="en", hs_words="carpets", hs_codes=("9999",))
    with_bad_term = hs_codes.Nomenclature(base.codes, [*base.terms, term])

    # when
    matches = with_bad_term.search("zzcraft")

    # then
    assert with_bad_term.unknown_glossary_codes() == [("zzcraft", "9999")]
    assert matches
    assert all("9999" not in match.code for match in matches)


def test_the_nomenclature_is_loaded_once_and_kept():
    assert nomenclature() is nomenclature()
    assert hs_codes.get("691390") is hs_codes.get("691390")
