import datetime as dt
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from procedures import trigram_index
from procedures.models import Field, Procedure, ProcedureVersion, VersionStatus
from procedures.selectors import TYPO_SIMILARITY, procedure_search
from procedures.text import catalogue_similarity, normalize, search_key, trigrams, word_similarity

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

    call_command("seed_demo", "--quiet", "--skip", "dossiers", "--skip", "parindex", "--skip", "docstore")
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
         "-p", "no:cacheprovider", "-k", "not the_same_search_tests_pass_on_sqlite and not generated_catalogue",
         "-W", "ignore"],
        cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "failed" not in summary and "error" not in summary, summary
    # Only the comparison with pg_trgm is skipped there.
    assert "1 skipped" in summary, summary


def test_bench_search_times_the_pages_and_leaves_nothing(db, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["127.0.0.1"]  # as `make run` has it: the bench asks with an allowed host
    out = StringIO()
    call_command("bench_search", "--procedures", "30", "--repeat", "1", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"{connection.vendor}: 30 thủ tục trong danh mục")
    for first, mode in ((1, "cache off"), (12, "cache as set")):
        assert lines[first].startswith(f"HTML page /thu-tuc/, {mode} (200, total and rows checked), all queries: ")
        cases = [" ".join(line.split()[0:2]) for line in lines[first + 1:first + 11]]
        assert cases[:3] == ["a word", "two words", "a typo"]
        assert "0 found" in lines[first + 10] and "nothing found" in lines[first + 10]
    assert [line.split(":")[0] for line in lines[23:25]] == [
        "selector procedure_search, first 20 rows", "selector, caches of procedures.text emptied"]
    assert not Procedure.objects.filter(field__code="BENCH").exists()


def test_bench_search_stops_on_a_page_that_is_not_the_expected_one(db, settings, monkeypatch):
    """Every timed page is checked: a page stating another total (or another host's 400) stops the bench."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from procedures.management.commands import bench_search

    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    monkeypatch.setattr(bench_search.Command, "_expected", staticmethod(lambda params: (12345, [])))
    with pytest.raises(CommandError, match="không ghi đúng tổng số 12345"):
        call_command("bench_search", "--procedures", "5", "--repeat", "1", stdout=open(os.devnull, "w"))
    assert not Procedure.objects.filter(field__code="BENCH").exists()


sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 index exists on SQLite only")


def indexed_text(procedure_id):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT padded FROM {trigram_index.TABLE} WHERE rowid = %s", [procedure_id])
        rows = cursor.fetchall()
    return [row[0] for row in rows]


@sqlite_only
def test_the_sqlite_trigram_index_follows_the_procedures(catalogue):
    """Saves, bulk inserts, updates and deletes all reach the FTS5 table (triggers), so the typo
    pre-filter sees the catalogue as it is."""
    procedure = Procedure.objects.get(code="1.001193")
    assert indexed_text(procedure.pk) == ["  1   001193   thu   tuc   dang   ki   khai   sinh   khai   sinh   giay   "
                                          "khai   sinh "]
    new = Procedure.objects.bulk_create([Procedure(code="9.000001", name="Cấp giấy chứng nhận mỹ phẩm",
                                                   field=procedure.field, search_text="9.000001 cap mi pham")])[0]
    new = Procedure.objects.get(code="9.000001")
    assert indexed_text(new.pk) == ["  9   000001   cap   mi   pham "]
    Procedure.objects.filter(pk=new.pk).update(search_text="9.000001 cap giay")
    assert indexed_text(new.pk) == ["  9   000001   cap   giay "]
    new.delete()
    assert indexed_text(new.pk) == []
    # A typo is still found through the index, and the search asks the index.
    assert codes(q="khai snh")[0] == "1.001193"
    assert trigram_index.TABLE in str(procedure_search(q="khai snh").query)


@sqlite_only
def test_without_the_index_sqlite_logs_it_and_compares_every_row(catalogue, caplog, monkeypatch):
    long_query = " ".join([*Procedure.objects.values_list("name", flat=True), *(f"so{i}" for i in range(40))])
    assert len(set(trigrams(search_key(long_query)))) > trigram_index.MAX_LOOKUPS
    queries = ["khai snh", "dang ki khai sinh", "phieu ly lich", "cap giay phep", "2.000505", "xyz khong co",
               long_query, "khai sinh " * 40]
    with_index = {q: codes(q=q) for q in queries}
    assert with_index["khai snh"][0] == "1.001193"
    # Looking up fewer of the query's trigrams (long queries) asks for fewer shared ones: nothing is lost.
    monkeypatch.setattr(trigram_index, "MAX_LOOKUPS", 3)
    assert {q: codes(q=q) for q in queries} == with_index
    trigram_index.uninstall(connection)
    monkeypatch.setattr(trigram_index, "_warned", False)
    with caplog.at_level("WARNING", logger="procedures.trigram_index"):
        assert {q: codes(q=q) for q in queries} == with_index
    assert "thiếu chỉ mục procedures_search_trigrams" in caplog.text
    assert trigram_index.TABLE not in str(procedure_search(q="khai snh").query)
    # `migrate` puts it back, filled with the rows saved meanwhile.
    Procedure.objects.filter(code="1.001193").update(search_text="1.001193 dang ki ket hon")
    assert trigram_index.install(connection) is True
    assert indexed_text(Procedure.objects.get(code="1.001193").pk) == ["  1   001193   dang   ki   ket   hon "]
    assert codes(q="dang ki ket hn")[0] == "1.001193"


@sqlite_only
def test_an_sqlite_without_the_trigram_tokenizer_still_searches(catalogue, caplog, monkeypatch):
    trigram_index.uninstall(connection)
    monkeypatch.setattr(trigram_index, "TOKENIZER", "'no_such_tokenizer'")  # what SQLite < 3.34 answers
    monkeypatch.setattr(trigram_index, "_warned", False)
    with caplog.at_level("WARNING", logger="procedures.trigram_index"):
        assert trigram_index.install(connection) is False
    assert "không tạo được chỉ mục FTS5 trigram" in caplog.text
    assert not trigram_index.available(connection)
    assert codes(q="khai snh")[0] == "1.001193"
    assert codes(q="phieu li lich") == ["2.000505"]


# --- SQLite lists what PostgreSQL lists, on a generated catalogue and a few hundred generated queries ---

GENERATED_VERBS = ["Đăng ký", "Cấp", "Cấp lại", "Cấp đổi", "Gia hạn", "Điều chỉnh", "Thu hồi", "Xác nhận",
                   "Công nhận", "Thay đổi", "Đăng kí", "Thẩm định"]
GENERATED_NOUNS = ["khai sinh", "kết hôn", "khai tử", "giấy phép xây dựng", "hộ kinh doanh", "lý lịch tư pháp",
                   "quyền sử dụng đất", "an toàn thực phẩm", "giấy phép lái xe", "chứng thực bản sao",
                   "người có công", "bảo trợ xã hội", "văn bằng chứng chỉ", "giấy phép kinh doanh", "biển số xe",
                   "môi trường", "khoáng sản", "nhà ở", "đầu tư", "lao động nước ngoài", "du lịch", "mỹ phẩm",
                   "di sản văn hóa", "thủy lợi", "hộ tịch", "kỹ thuật viên", "quy hoạch", "y tế", "tàu cá"]
GENERATED_SUFFIXES = ["", "cho cá nhân", "cho tổ chức", "lần đầu", "trong nước", "có yếu tố nước ngoài"]


def generated_catalogue(size=300):
    rng = random.Random(2026)
    field = Field.objects.create(code="GEN", name="Lĩnh vực sinh tự động")
    names = set()
    while len(names) < size:
        names.add(" ".join(filter(None, [rng.choice(GENERATED_VERBS), rng.choice(GENERATED_NOUNS),
                                          rng.choice(GENERATED_SUFFIXES)])))
    procedures = []
    for i, name in enumerate(sorted(names)):
        procedure = Procedure(code=f"{rng.choice([1, 2, 3])}.{rng.randrange(1000000):06d}{i}", name=name,
                              field=field, level=rng.choice(["commune", "province"]),
                              keywords=rng.choice(GENERATED_NOUNS) if rng.random() < 0.5 else "")
        procedure.search_text = procedure.build_search_text()
        procedures.append(procedure)
    Procedure.objects.bulk_create(procedures)
    ProcedureVersion.objects.bulk_create([
        ProcedureVersion(procedure=p, number=1, status=VersionStatus.PUBLISHED, decision_number=f"G-{p.code}",
                         effective_from=dt.date(2025, 1, 1)) for p in Procedure.objects.filter(field=field)])
    return sorted(names), [p.code for p in procedures]


def _typo(text, rng):
    if len(text) < 2:
        return text
    cut = rng.randrange(len(text))
    kind = rng.choice(["drop", "swap", "double", "replace"])
    if kind == "drop":
        return text[:cut] + text[cut + 1:]
    if kind == "swap" and cut < len(text) - 1:
        return text[:cut] + text[cut + 1] + text[cut] + text[cut + 2:]
    if kind == "double":
        return text[:cut] + text[cut] + text[cut:]
    return text[:cut] + rng.choice("aeiouyhnt") + text[cut + 1:]


def generated_queries(names, codes_, count=300):
    rng = random.Random(15)
    queries = ["", "a", "y", "kh", "ho", "1", "1.", "xyz khong co", "dang ki", "dang ky", "li lich", "qui hoach"]
    while len(queries) < count:
        name = rng.choice(names)
        words = name.split()
        start = rng.randrange(len(words))
        query = " ".join(words[start:start + rng.randint(1, 5)])
        kind = rng.random()
        if kind < 0.15:
            query = rng.choice(codes_)[:rng.randint(3, 9)]
        elif kind < 0.3:
            query = normalize(query)
        elif kind < 0.45:
            query = query.replace("ý", "í").replace("y", "i") if rng.random() < 0.5 else query.replace("i", "y")
        if rng.random() < 0.5:
            query = _typo(query, rng)
        if rng.random() < 0.2:
            query = query.upper()
        queries.append(query)
    return queries


def generated_results():
    names, codes_ = generated_catalogue()
    return {query: codes(q=query) for query in generated_queries(names, codes_)}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="this test starts the SQLite run")
def test_sqlite_lists_what_postgresql_lists_on_a_generated_catalogue(db, tmp_path):
    """The SQLite pre-filter (FTS5 trigrams) drops no row PostgreSQL returns, and the order is the same."""
    expected = generated_results()
    assert sum(1 for found in expected.values() if found) > 200  # the queries do find things
    path = tmp_path / "postgresql.json"
    path.write_text(json.dumps(expected, ensure_ascii=False), encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "ALLOW_SQLITE_TESTS": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'search.sqlite3'}",
           "VAR_DIR": str(tmp_path / "var"), "SEARCH_TEST_VENDOR": "sqlite", "SEARCH_EXPECTED": str(path),
           "DJANGO_SETTINGS_MODULE": "portal.settings.test"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(Path(__file__).relative_to(root)), "-q", "--nomigrations",
         "-p", "no:cacheprovider", "-k", "generated_catalogue_on_sqlite", "-W", "ignore"],
        cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1].startswith("1 passed"), result.stdout[-2000:]


@pytest.mark.skipif(not os.environ.get("SEARCH_EXPECTED"), reason="started by the PostgreSQL test above")
def test_generated_catalogue_on_sqlite_matches_postgresql(db):
    expected = json.loads(Path(os.environ["SEARCH_EXPECTED"]).read_text(encoding="utf-8"))
    assert connection.vendor == "sqlite" and trigram_index.available(connection)
    found = generated_results()
    assert list(found) == list(expected)
    mismatches = {q: (found[q], expected[q]) for q in expected if found[q] != expected[q]}
    assert not mismatches, mismatches
    # Many of the rows listed lack a word of the query: found as typos, through the pre-filter.
    texts = dict(Procedure.objects.values_list("code", "search_text"))
    typo_rows = sum(1 for q, listed in found.items() for code in listed
                    if not all(word in texts[code] for word in search_key(q).split()))
    assert typo_rows > 500, typo_rows
