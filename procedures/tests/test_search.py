import datetime as dt
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from procedures.models import Procedure
from procedures.selectors import TYPO_SIMILARITY, procedure_search
from procedures.text import catalogue_similarity, normalize, search_key, word_similarity

pytestmark = pytest.mark.django_db


def codes(**kwargs):
    return [p.code for p in procedure_search(**kwargs)]


def test_normalize_strips_vietnamese_accents():
    assert normalize("Đăng ký KHAI SINH, Lý lịch tư pháp") == "dang ky khai sinh ly lich tu phap"
    assert normalize("Giấy phép xây dựng 1.009994") == "giay phep xay dung 1.009994"


@pytest.mark.parametrize("query", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "khai sinh", "Dang Ky Khai Sinh"])
def test_accent_and_case_insensitive(catalogue, query):
    assert codes(q=query)[0] == "1.001193"


def test_exact_code_ranks_first(catalogue):
    assert codes(q="2.000505")[0] == "2.000505"
    assert codes(q="1.009994")[0] == "1.009994"


def test_name_starting_with_the_query_ranks_above_a_mere_mention(catalogue):
    # "Cấp giấy phép xây dựng…" starts with "cap"; "Cấp Phiếu lý lịch…" too, but both words match only one.
    ranked = codes(q="cap giay phep")
    assert ranked[0] == "1.009994"


def test_words_in_any_order_and_keywords(catalogue):
    assert "2.000575" in codes(q="kinh doanh ho")
    assert codes(q="phieu ly lich") == ["2.000505"]


@pytest.mark.parametrize("query", ["khai sinhh", "khai snh", "dang ky khai snh", "dang ki khai sinh",
                                   "Đăng kí khai sinh", "DANG KI KHAI SINH"])
def test_typo_and_i_y_spelling_are_forgiven(catalogue, query):
    assert codes(q=query)[0] == "1.001193"


def test_i_y_spelling_on_either_side(catalogue):
    # "Phiếu lý lịch tư pháp" is found as "li lich"; a query spelt with "y" finds a name spelt with "i".
    assert codes(q="phieu li lich") == ["2.000505"]
    Procedure.objects.filter(code="2.000505").update(name="Cấp Phiếu lí lịch tư pháp",
                                                     search_text=search_key("2.000505 Cấp Phiếu lí lịch tư pháp"))
    assert codes(q="phieu lý lich") == ["2.000505"]


def test_search_key_folds_only_the_interchangeable_final_y():
    assert search_key("Đăng ký, Lý lịch, Mỹ thuật, Quy định, Sỹ quan") == "dang ki li lich mi thuat qui dinh si quan"
    # After a vowel, "y" is another sound (tay ≠ tai; xây, thủy, tuyến) and a lone "y" stays (y tế).
    assert search_key("Xây dựng, tay nghề, thủy lợi, tuyến, y tế, yêu cầu") == \
        "xay dung tay nghe thuy loi tuyen y te yeu cau"


def test_unrelated_query_finds_nothing(catalogue):
    assert codes(q="visa du lich nuoc ngoai") == []


def test_filters_field_level_and_agency(catalogue, demo):
    assert set(codes(field="HT")) == {"1.001193"}
    assert set(codes(level="province")) == {"2.000505"}
    commune = demo.agency("H21.65")
    assert set(codes(agency=commune)) == {"1.001193", "2.000575", "1.009994"}
    assert set(codes(agency=demo.agency("H21.11"))) == {"2.000505"}


def test_only_procedures_in_force_are_listed(catalogue):
    assert "2.000575" in codes(on=dt.date(2024, 1, 1))  # the old version was in force then
    assert "1.009994" not in codes(on=dt.date(2024, 1, 1))  # not yet published
    Procedure.objects.filter(code="1.009994").first().versions.update(effective_to=dt.date(2025, 12, 31))
    assert "1.009994" not in codes(on=dt.date(2026, 6, 1))


def test_the_shortest_name_holding_the_phrase_ranks_first(db):
    from django.core.management import call_command

    call_command("seed_demo", "--quiet", "--skip", "dossiers")
    assert codes(q="ho kinh doanh")[:2] == ["1.001612", "2.000720"]  # "Đăng ký thành lập hộ kinh doanh" first


@pytest.mark.skipif(connection.vendor != "postgresql", reason="compares with pg_trgm itself")
def test_word_similarity_in_python_is_pg_trgms_own(db):
    """SQLite runs the catalogue search with procedures.text.word_similarity: it must give pg_trgm's numbers."""
    rng = random.Random(15)
    words = ("dang ki khai sinh snh ket hon giay phep xay dung lai xe cap doi ho kinh doanh 1.001193 li lich "
             "tu phap an toan thuc pham quyen su dat lan dau chung thuc ban sao a b kh").split()
    pairs = []
    for _ in range(1500):
        query = " ".join(rng.choice(words) for _ in range(rng.randint(1, 4)))
        if rng.random() < 0.3:  # a typo: one character left out
            cut = rng.randrange(len(query))
            query = query[:cut] + query[cut + 1:]
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 12)))
        if rng.random() < 0.3:  # the query as a phrase inside the text (catalogue_similarity's shortcut)
            cut = rng.randint(0, len(text.split()))
            text = " ".join([*text.split()[:cut], query, *text.split()[cut:]])
        pairs.append((query, text))
    with connection.cursor() as cursor:
        for query, text in pairs:
            cursor.execute("SELECT word_similarity(%s, %s)", [query, text])
            expected = cursor.fetchone()[0]
            assert word_similarity(query, text) == pytest.approx(expected, abs=1e-6), (query, text)
            if expected >= TYPO_SIMILARITY or all(word in text for word in query.split()):
                assert catalogue_similarity(query, text, TYPO_SIMILARITY) == pytest.approx(expected, abs=1e-6)


def test_search_runs_on_the_database_asked_for(db):
    expected = os.environ.get("SEARCH_TEST_VENDOR")
    assert expected is None or connection.vendor == expected


@pytest.mark.skipif(connection.vendor == "sqlite", reason="this test starts the SQLite run")
def test_the_same_search_tests_pass_on_sqlite(tmp_path):
    """`make run` uses SQLite: this file's tests run again there, in a child process."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "ALLOW_SQLITE_TESTS": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'search.sqlite3'}",
           "VAR_DIR": str(tmp_path / "var"), "SEARCH_TEST_VENDOR": "sqlite",
           "DJANGO_SETTINGS_MODULE": "portal.settings.test"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(Path(__file__).relative_to(root)), "-q", "--nomigrations",
         "-p", "no:cacheprovider", "-k", "not the_same_search_tests_pass_on_sqlite", "-W", "ignore"],
        cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "failed" not in summary and "error" not in summary, summary
    # Only the comparison with pg_trgm is skipped there.
    assert "1 skipped" in summary, summary
