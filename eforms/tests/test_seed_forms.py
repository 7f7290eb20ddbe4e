"""The declaration forms of the seed catalogue (procedures/seed/forms/*.json): each a valid definition on a real
component of the seed, a realistic filled sample of each validates and prints (its PDF's text read back with pypdf),
bad input is refused on its field, and the forms travel with the catalogue's import and export."""

import datetime as dt
import io
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from pypdf import PdfReader

from eforms.data import check_raw
from eforms.definition import Form, case_problems, check
from eforms.models import AdministrativeUnit, UnitLevel
from eforms.prefill import initial
from eforms.printing import TEMPLATES, render_pdf, template_exists, text_of
from eforms.units import provinces_ensure
from procedures.demo import seed_text
from procedures.models import DeclarationForm, Procedure
from procedures.transfer import ImportRejected, export_json, import_procedures

pytestmark = pytest.mark.django_db

FORMS = Path(__file__).resolve().parents[2] / "procedures" / "seed" / "forms"
CATALOGUE = FORMS.parent / "procedures.json"
NOW = dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC)  # 09:00 in Hà Nội
FIVE = ("1.001193", "1.000894", "1.004194", "2.000635", "1.001612")


def spec(code: str) -> dict:
    return json.loads((FORMS / f"{code}.json").read_text(encoding="utf-8"))


@pytest.fixture
def units():
    province = provinces_ensure()["52"]
    AdministrativeUnit.objects.create(code="T001", name="Phường Thử", level=UnitLevel.COMMUNE, parent=province)
    AdministrativeUnit.objects.create(code="T002", name="Xã Thử", level=UnitLevel.COMMUNE, parent=province)


def address(key: str, commune: str, street: str) -> dict:
    return {f"f-{key}-province": "52", f"f-{key}-commune": commune, f"f-{key}-street": street}


# A realistic filled sample of each form (what the page posts), and what its PDF must say.
SAMPLES = {
    "1.001193": {
        "f-nyc_ho_ten": "Nguyễn Văn An", "f-nyc_so_dinh_danh": "064090000123",
        **address("nyc_noi_cu_tru", "T001", "12 Trần Phú"), "f-quan_he": "cha",
        "f-ks_ho_ten": "Nguyễn Minh Khang", "f-ks_ngay_sinh": "05/03/2026", "f-ks_gioi_tinh": "nam",
        "f-ks_dan_toc": "Kinh", "f-ks_quoc_tich": "Việt Nam", "f-ks_noi_sinh": "Bệnh viện Đa khoa tỉnh Gia Lai",
        "f-me_ho_ten": "Trần Thị Cúc", "f-me_nam_sinh": "1996", "f-ban_sao": "on", "f-so_ban_sao": "2"},
    "1.000894": {
        "f-nu_ho_ten": "Trần Thị Mai", "f-nu_ngay_sinh": "12/08/1998", "f-nu_dan_toc": "Kinh",
        "f-nu_quoc_tich": "Việt Nam", **address("nu_noi_cu_tru", "T001", "45 Hùng Vương"),
        "f-nu_so_dinh_danh": "064198000456", "f-nu_lan_ket_hon": "1",
        "f-nam_ho_ten": "Lê Văn Hùng", "f-nam_ngay_sinh": "03/01/1995", "f-nam_dan_toc": "Ba Na",
        "f-nam_quoc_tich": "Việt Nam", **address("nam_noi_cu_tru", "T002", "Thôn 3"),
        "f-nam_so_dinh_danh": "064095000789", "f-nam_lan_ket_hon": "2", "f-ban_sao": "on", "f-so_ban_sao": "2"},
    "1.004194": {
        "f-ho_ten": "Phạm Thị Lan", "f-ngay_sinh": "20/10/1990", "f-gioi_tinh": "nu",
        "f-so_dinh_danh": "064190000321", "f-dien_thoai": "0905123456", "f-email": "lan.pham@example.com",
        "f-chu_ho_ho_ten": "Phạm Thị Lan", "f-quan_he_chu_ho": "Chủ hộ", "f-chu_ho_so_dinh_danh": "064190000321",
        **address("noi_tam_tru", "T001", "78 Lê Lợi, tổ 5"), "f-tam_tru_den": "31/05/2028",
        "f-thanh_vien-rows": "2",
        "f-thanh_vien-0-ho_ten": "Nguyễn Minh Quân", "f-thanh_vien-0-ngay_sinh": "14/02/2015",
        "f-thanh_vien-0-gioi_tinh": "nam", "f-thanh_vien-0-so_dinh_danh": "064215000111",
        "f-thanh_vien-0-quan_he": "Con",
        "f-thanh_vien-1-ho_ten": "Nguyễn Ngọc Hân", "f-thanh_vien-1-ngay_sinh": "09/09/2018",
        "f-thanh_vien-1-gioi_tinh": "nu", "f-thanh_vien-1-quan_he": "Con",
        "f-cho_o": "cua_nguoi_khac", "f-chu_so_huu_ho_ten": "Võ Văn Tâm", "f-chu_so_huu_so_dinh_danh": "064070000222"},
    "2.000635": {
        "f-nyc_ho_ten": "Đỗ Văn Nam", **address("nyc_noi_cu_tru", "T001", "8 Nguyễn Huệ"),
        "f-nyc_so_dinh_danh": "064088000555", "f-quan_he": "uy_quyen",
        "f-uy_quyen_van_ban": "Giấy ủy quyền chứng thực ngày 20/05/2026 tại UBND phường Pleiku",
        "f-loai": "tl_ket_hon", "f-ht_ho_ten": "Đỗ Thị Hoa", "f-ht_ngay_sinh": "02/02/1960", "f-ht_gioi_tinh": "nu",
        "f-ht_dan_toc": "Kinh", "f-ht_quoc_tich": "Việt Nam", "f-ht_noi_cu_tru": "Phường Pleiku, Tỉnh Gia Lai",
        "f-noi_dang_ky": "Ủy ban nhân dân phường Pleiku", "f-ngay_dang_ky": "15/06/1985", "f-so": "25",
        "f-quyen_so": "01/1985", "f-so_ban_sao": "3"},
    "1.001612": {
        "f-chu_ho_ho_ten": "Hà Văn Phúc", "f-chu_ho_ngay_sinh": "11/11/1980", "f-chu_ho_gioi_tinh": "nam",
        "f-chu_ho_so_dinh_danh": "064080000999", "f-chu_ho_dien_thoai": "0912345678",
        "f-chu_ho_email": "phuc.ha@example.com", "f-chu_ho_dan_toc": "Kinh", "f-chu_ho_quoc_tich": "Việt Nam",
        **address("chu_ho_noi_thuong_tru", "T002", "Thôn 1"), **address("chu_ho_noi_o_hien_tai", "T001", "15 Lê Lợi"),
        "f-ten_ho": "Hộ kinh doanh Phở Hà", "f-ten_viet_tat": "PHỞ HÀ",
        **address("tru_so", "T001", "102 Trần Hưng Đạo"), "f-dien_thoai": "0269 3824 123",
        "f-email": "pho.ha@example.com", "f-nganh_nghe-rows": "2",
        "f-nganh_nghe-0-ten_nganh": "Nhà hàng và các dịch vụ ăn uống phục vụ lưu động",
        "f-nganh_nghe-0-ma_nganh": "5610", "f-nganh_nghe-0-nganh_chinh": "on",
        "f-nganh_nghe-1-ten_nganh": "Dịch vụ phục vụ đồ uống", "f-nganh_nghe-1-ma_nganh": "5630",
        "f-von": "150000000", **address("dia_chi_thue", "T002", "Thôn 1"), "f-so_lao_dong": "4",
        "f-chu_the": "ho_gia_dinh", "f-thanh_vien-rows": "1",
        "f-thanh_vien-0-ho_ten": "Lý Thị Thu", "f-thanh_vien-0-ngay_sinh": "05/05/1982",
        "f-thanh_vien-0-so_dinh_danh": "064182000888", "f-thanh_vien-0-gioi_tinh": "nu",
        "f-thanh_vien-0-quoc_tich": "Việt Nam", "f-thanh_vien-0-dan_toc": "Kinh",
        "f-thanh_vien-0-noi_thuong_tru": "Thôn 1, Xã Thử, Tỉnh Gia Lai",
        "f-thanh_vien-0-noi_o_hien_tai": "15 Lê Lợi, Phường Thử, Tỉnh Gia Lai"},
}

COMMIT_TRU_SO = ("Hộ kinh doanh cam kết trụ sở của hộ kinh doanh thuộc quyền sử dụng hợp pháp của hộ kinh doanh "
                 "và được sử dụng đúng mục đích theo quy định của pháp luật")
EXPECTED = {
    "1.001193": ["TỜ KHAI ĐĂNG KÝ KHAI SINH", "Nguyễn Minh Khang", "05/03/2026", "Nam", "Cha", "Trần Thị Cúc",
                 "12 Trần Phú, Phường Thử, Tỉnh Gia Lai", "Tôi cam đoan nội dung đề nghị đăng ký khai sinh",
                 "NGƯỜI YÊU CẦU", "Nguyễn Văn An"],
    "1.000894": ["TỜ KHAI ĐĂNG KÝ KẾT HÔN", "Kính gửi: Ủy ban nhân dân xã, phường nơi đăng ký kết hôn",
                 "Bên nữ Bên nam", "Trần Thị Mai", "Lê Văn Hùng", "12/08/1998", "03/01/1995", "Ba Na",
                 "45 Hùng Vương, Phường Thử, Tỉnh Gia Lai", "Thôn 3, Xã Thử, Tỉnh Gia Lai", "064198000456",
                 "Lần đầu", "Lần thứ hai", "Số lượng: 2 bản",
                 "Chúng tôi cam đoan những lời khai trên đây là đúng sự thật, việc kết hôn của chúng tôi là tự nguyện",
                 "BÊN NỮ", "BÊN NAM"],
    "1.004194": ["Mẫu CT01 ban hành kèm theo Thông tư số 66/2023/TT-BCA", "TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ",
                 "1. Họ, chữ đệm và tên: Phạm Thị Lan", "20/10/1990", "Nữ", "lan.pham@example.com",
                 "8. Mối quan hệ với chủ hộ:", "9. Số định danh cá nhân của chủ hộ:",
                 "Đăng ký tạm trú tại 78 Lê Lợi, tổ 5, Phường Thử, Tỉnh Gia Lai; thời hạn tạm trú đến ngày 31/05/2028",
                 "11. Những thành viên trong hộ gia đình cùng thay đổi",
                 "1 Nguyễn Minh Quân 14/02/2015 Nam 064215000111 Con", "2 Nguyễn Ngọc Hân 09/09/2018 Nữ Con",
                 "Ý KIẾN CỦA CHỦ HỘ", "NGƯỜI KÊ KHAI", "Võ Văn Tâm", "064070000222"],
    "2.000635": ["TỜ KHAI CẤP BẢN SAO TRÍCH LỤC HỘ TỊCH", "Đỗ Văn Nam", "8 Nguyễn Huệ, Phường Thử, Tỉnh Gia Lai",
                 "Người được ủy quyền", "của người có tên dưới đây", "Giấy ủy quyền chứng thực ngày 20/05/2026",
                 "Trích lục kết hôn", "Đỗ Thị Hoa",
                 "02/02/1960", "Nữ", "15/06/1985", "Quyển số: 01/1985",
                 "Tôi cam đoan những nội dung khai trên đây là đúng sự thật", "NGƯỜI YÊU CẦU"],
    "1.001612": ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc Gia Lai, ngày 01 tháng 06 năm 2026 "
                 "GIẤY ĐỀ NGHỊ ĐĂNG KÝ HỘ KINH DOANH Kính gửi: Cơ quan đăng ký kinh doanh cấp xã "
                 "Tôi là (ghi họ tên bằng chữ in hoa): HÀ VĂN PHÚC Sinh ngày: 11/11/1980 Giới tính: Nam "
                 "Số định danh cá nhân (nếu có): 064080000999 Điện thoại (nếu có): 0912345678",
                 "Trường hợp việc kết nối giữa Cơ sở dữ liệu về đăng ký hộ kinh doanh với Cơ sở dữ liệu quốc gia về "
                 "dân cư bị gián đoạn thì đề nghị kê khai thêm: Dân tộc: Kinh Quốc tịch: Việt Nam Nơi thường trú: "
                 "Số nhà/phòng, ngách/hẻm, ngõ/kiệt, đường/phố/đại lộ, tổ/xóm/ấp/thôn: Thôn 1 Xã/Phường/Đặc khu: "
                 "Xã Thử Tỉnh/Thành phố trực thuộc trung ương: Tỉnh Gia Lai Nơi ở hiện tại: ",
                 "Đăng ký hộ kinh doanh do tôi là chủ hộ với các nội dung sau: "
                 "1. Tên hộ kinh doanh (ghi bằng chữ in hoa): HỘ KINH DOANH PHỞ HÀ",
                 "Tên hộ kinh doanh viết tắt (nếu có): PHỞ HÀ",
                 "2. Trụ sở của hộ kinh doanh: Số nhà/phòng, ngách/hẻm, "
                 "ngõ/kiệt, đường/phố/đại lộ, tổ/xóm/ấp/thôn: 102 Trần Hưng Đạo Xã/Phường/Đặc khu: Phường Thử "
                 "Tỉnh/Thành phố trực thuộc trung ương: Tỉnh Gia Lai Điện thoại: 0269 3824 123 Fax (nếu có):",
                 "3. Ngành, nghề kinh doanh: STT Tên ngành Mã ngành Ngành, nghề kinh doanh chính (đánh dấu X) "
                 "1 Nhà hàng và các dịch vụ ăn uống phục vụ lưu động 5610 X 2 Dịch vụ phục vụ đồ uống 5630 "
                 "4. Vốn kinh doanh: Tổng số (bằng số, bằng chữ, VNĐ): 150.000.000 (Một trăm năm mươi triệu đồng) "
                 "5. Thông tin đăng ký thuế: 5.1 Địa chỉ nhận thông báo thuế (chỉ kê khai nếu địa chỉ nhận thông báo "
                 "thuế khác địa chỉ trụ sở): Số nhà/phòng, ngách/hẻm, ngõ/kiệt, đường/phố/đại lộ, tổ/xóm/ấp/thôn: "
                 "Thôn 1",
                 "5.2 Tổng số lao động: 4 6. Chủ thể thành lập hộ kinh doanh (đánh dấu X vào ô thích hợp): "
                 "Cá nhân X Các thành viên hộ gia đình",
                 "7. Thông tin về các thành viên hộ gia đình đăng ký hộ kinh doanh: STT Họ tên Ngày, tháng, năm sinh "
                 "Số định danh cá nhân Giới tính Quốc tịch Dân tộc Nơi thường trú Nơi ở hiện tại Chữ ký "
                 "1 Lý Thị Thu 05/05/1982 064182000888 Nữ Việt Nam Kinh Thôn 1, Xã Thử, Tỉnh Gia Lai "
                 "15 Lê Lợi, Phường Thử, Tỉnh Gia Lai", "Hộ kinh doanh cam kết",
                 COMMIT_TRU_SO, "cung cấp thông tin dữ liệu cá nhân lưu giữ trong Cơ sở dữ liệu quốc gia về dân cư",
                 "CHỦ HỘ KINH DOANH (Ký và ghi họ tên) Hà Văn Phúc"],
}

# Per form: (changes to the sample, {page input: words of the message}) — a missing conditional field, a date in
# the future where the past is required, a bad identification number, a text longer than its printed line.
BAD = {
    "1.001193": ({"f-quan_he": "uy_quyen", "f-ks_ngay_sinh": "01/07/2026", "f-me_so_dinh_danh": "12345",
                  "f-ks_ho_ten": "X" * 61},
                 {"f-uy_quyen_van_ban": "Chưa điền", "f-ks_ngay_sinh": "không được sau ngày hôm nay",
                  "f-me_so_dinh_danh": "12 chữ số", "f-ks_ho_ten": "60 ký tự"}),
    "1.000894": ({"f-so_ban_sao": "", "f-nu_ngay_sinh": "02/06/2026", "f-nam_so_dinh_danh": "12345",
                  "f-nu_ho_ten": "X" * 41},
                 {"f-so_ban_sao": "Chưa điền", "f-nu_ngay_sinh": "không được sau ngày hôm nay",
                  "f-nam_so_dinh_danh": "12 chữ số", "f-nu_ho_ten": "40 ký tự"}),
    "1.004194": ({"f-chu_so_huu_ho_ten": "", "f-thanh_vien-0-ngay_sinh": "01/01/2027", "f-so_dinh_danh": "06419000032",
                  "f-noi_tam_tru-street": "X" * 101},
                 {"f-chu_so_huu_ho_ten": "Chưa điền", "f-thanh_vien-0-ngay_sinh": "không được sau ngày hôm nay",
                  "f-so_dinh_danh": "12 chữ số", "f-noi_tam_tru-street": "100 ký tự"}),
    "2.000635": ({"f-loai": "tl_khac", "f-ht_ngay_sinh": "31/12/2030", "f-nyc_so_dinh_danh": "999000000000",
                  "f-noi_dang_ky": "X" * 151},
                 {"f-loai_khac": "Chưa điền", "f-ht_ngay_sinh": "không được sau ngày hôm nay",
                  "f-nyc_so_dinh_danh": "mã tỉnh", "f-noi_dang_ky": "150 ký tự"}),
    "1.001612": ({**{k: "" for k in SAMPLES["1.001612"] if k.startswith("f-thanh_vien-0-")},
                  "f-chu_ho_ngay_sinh": "15/08/2026", "f-chu_ho_so_dinh_danh": "06408000099x", "f-ten_ho": "X" * 101,
                  "f-nganh_nghe-1-ma_nganh": "563"},
                 {"f-thanh_vien": "Chưa điền", "f-chu_ho_ngay_sinh": "không được sau ngày hôm nay",
                  "f-chu_ho_so_dinh_danh": "12 chữ số", "f-ten_ho": "100 ký tự",
                  "f-nganh_nghe-1-ma_nganh": "“Mã ngành”: không đúng định dạng"}),
}


def pdf_words(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def render(code: str, raw: dict) -> tuple[dict, bytes]:
    form_spec = spec(code)
    form = Form(form_spec["schema"], form_spec["layout"])
    data, errors = check_raw(form, raw)
    assert errors == {}, errors
    return data, render_pdf(form, data, template=form_spec["print_template"],
                            context={"place": "Gia Lai", "dossier_code": "H21.65-260601-0001"})


def test_every_seed_form_is_a_valid_definition_of_a_seed_component_with_its_print_template():
    catalogue = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    components = {(p["code"], d["name"]) for p in catalogue["procedures"] for v in p["versions"]
                  for d in v.get("documents", [])}
    requirements = {p["code"]: {d["name"]: d.get("requirement", "required") for v in p["versions"]
                                for d in v.get("documents", [])} for p in catalogue["procedures"]}
    files = sorted(FORMS.glob("*.json"))
    assert {f.stem for f in files} >= set(FIVE)
    for path in files:
        form_spec = json.loads(path.read_text(encoding="utf-8"))
        assert form_spec["procedure"] == path.stem
        assert check(form_spec["schema"], form_spec["layout"]) == [], path.name
        assert case_problems(form_spec["layout"], requirements[path.stem], form_spec["document"]) == [], path.name
        assert (form_spec["procedure"], form_spec["document"]) in components, path.name
        assert form_spec["print_template"] in TEMPLATES and template_exists(form_spec["print_template"]), path.name
        assert form_spec["official_template"], path.name
        assert "chưa" not in form_spec["official_template"], path.name  # what the citizen's page names: the form
    # what a form was checked against where it is not its own official text (kept in the seed, not imported)
    assert "Mẫu số 2" in spec("1.001612")["checked_against"]
    assert spec("1.000894")["print_template"] == "ket_hon" and spec("1.004194")["print_template"] == "ct01"
    # household members register: the minutes of their meeting and the authorisation of the head become due
    assert {(c["document"], c["field"], tuple(c["values"])) for c in spec("1.001612")["layout"]["cases"]} == {
        ("Bản sao biên bản họp thành viên hộ gia đình về việc thành lập hộ kinh doanh", "chu_the", ("ho_gia_dinh",)),
        ("Văn bản ủy quyền cho thành viên hộ gia đình làm chủ hộ kinh doanh", "chu_the", ("ho_gia_dinh",))}


def test_a_form_whose_case_names_no_component_of_its_version_is_refused_at_import():
    catalogue = json.loads(seed_text())
    version = next(p for p in catalogue["procedures"] if p["code"] == "1.001612")["versions"][0]
    form = next(d for d in version["documents"] if d.get("form"))["form"]
    form["layout"]["cases"][0]["document"] = "Biên bản không có trong thủ tục"
    with pytest.raises(ImportRejected) as refused:
        import_procedures(json.dumps(catalogue, ensure_ascii=False))
    assert any("“Biên bản không có trong thủ tục” không có trong phiên bản thủ tục này" in message
               for _line, message in refused.value.errors)
    assert not Procedure.objects.exists() and not DeclarationForm.objects.exists()
    # a component whose name is not text: refused on its line, not a server error
    version["documents"][1]["name"] = ["not", "a", "name"]
    with pytest.raises(ImportRejected):
        import_procedures(json.dumps(catalogue, ensure_ascii=False))


@pytest.mark.parametrize("code", FIVE)
@time_machine.travel(NOW, tick=False)
def test_a_filled_sample_validates_and_prints_in_the_official_layout(code, units, tmp_path):
    data, pdf = render(code, SAMPLES[code])
    (tmp_path / f"{code}.pdf").write_bytes(pdf)
    words = pdf_words(pdf)
    for expected in EXPECTED[code]:
        assert expected in words, (code, expected, words)
    assert "Hồ sơ: H21.65-260601-0001" in words
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc" in words  # includes/national_motto.html
    for signer in {"nyc_ho_ten", "nu_ho_ten", "ho_ten", "chu_ho_ho_ten"} & set(data):
        assert data[signer] in words


@time_machine.travel(NOW, tick=False)
def test_the_conditional_parts_of_the_samples(units):
    ct01 = Form(spec("1.004194")["schema"], spec("1.004194")["layout"])
    own = {k: v for k, v in SAMPLES["1.004194"].items() if not k.startswith("f-chu_so_huu")} | {"f-cho_o": "cua_minh"}
    data, errors = check_raw(ct01, own)
    assert errors == {} and "chu_so_huu_ho_ten" not in data
    minor, errors = check_raw(ct01, own | {"f-chua_thanh_nien": "on"})
    assert set(errors) == {"f-giam_ho_ho_ten", "f-giam_ho_so_dinh_danh"} and minor == {}
    copy = Form(spec("2.000635")["schema"], spec("2.000635")["layout"])
    myself = SAMPLES["2.000635"] | {"f-quan_he": "ban_than", "f-uy_quyen_van_ban": ""}
    assert check_raw(copy, myself)[1] == {}
    assert "Văn bản ủy quyền" not in pdf_words(render("2.000635", myself)[1])


# The household business (1.001612, Mẫu số 1 of Thông tư 68/2025/TT-BTC): the sample without its members, by an
# individual.
ALONE = {k: v for k, v in SAMPLES["1.001612"].items() if not k.startswith("f-thanh_vien")} | {"f-chu_the": "ca_nhan"}
MEMBER = "f-thanh_vien-0-ho_ten"


def business() -> Form:
    return Form(spec("1.001612")["schema"], spec("1.001612")["layout"])


@time_machine.travel(NOW, tick=False)
def test_the_household_members_are_required_only_when_the_members_of_the_household_establish_it(units):
    data, errors = check_raw(business(), ALONE)
    assert errors == {} and data["chu_the"] == "ca_nhan" and "thanh_vien" not in data
    data, errors = check_raw(business(), ALONE | {"f-chu_the": "ho_gia_dinh"})
    assert data == {} and set(errors) == {"f-thanh_vien"} and "Chưa điền" in errors["f-thanh_vien"]
    assert business().by_path["thanh_vien"].show_if == ("chu_the", ("ho_gia_dinh",))
    data, errors = check_raw(business(), SAMPLES["1.001612"] | {"f-thanh_vien-0-so_dinh_danh": ""})
    assert set(errors) == {"f-thanh_vien-0-so_dinh_danh"}  # a member's row: name, birth, ID and sex
    # an individual's application prints no member, even one left over on the page from the other choice
    words = pdf_words(render("1.001612", ALONE | {MEMBER: "Lý Thị Thu", "f-thanh_vien-0-ngay_sinh": "05/05/1982",
                                                  "f-thanh_vien-0-so_dinh_danh": "064182000888",
                                                  "f-thanh_vien-0-gioi_tinh": "nu"})[1])
    assert "X Cá nhân Các thành viên hộ gia đình" in words and "Lý Thị Thu" not in words
    assert "Nơi ở hiện tại Chữ ký Không có." in words


@time_machine.travel(NOW, tick=False)
def test_the_commitment_on_the_registered_address_only_when_the_business_trades_there(units):
    trades_there = pdf_words(render("1.001612", ALONE)[1])
    assert COMMIT_TRU_SO in trades_there
    data, pdf = render("1.001612", ALONE | {"f-khong_tai_tru_so": "on"})
    elsewhere = pdf_words(pdf)
    assert data["khong_tai_tru_so"] is True
    assert "X Không kinh doanh tại trụ sở (đánh dấu X vào ô này" in elsewhere
    assert "cam kết trụ sở" not in elsewhere
    for words in (trades_there, elsewhere):  # the consent to the use of the population data: always
        assert "Hộ kinh doanh cam kết đồng ý cho Cơ quan quản lý nhà nước về đăng ký kinh doanh" in words


@time_machine.travel(NOW, tick=False)
def test_the_capital_is_printed_in_figures_and_in_words(units):
    data, pdf = render("1.001612", ALONE | {"f-von": "1500000000"})
    assert data["von"] == 1500000000
    assert "Tổng số (bằng số, bằng chữ, VNĐ): 1.500.000.000 (Một tỷ năm trăm triệu đồng)" in pdf_words(pdf)
    data, errors = check_raw(business(), ALONE | {"f-von": "0"})
    assert "f-von" in errors and "không được nhỏ hơn 1" in errors["f-von"]


@pytest.mark.parametrize(("code", "ok"), [("5610", True), ("46530", True), ("561", False), ("561011", False),
                                          ("56A0", False), ("C1010", False)])
@time_machine.travel(NOW, tick=False)
def test_an_industry_code_has_four_or_five_digits_refused_on_its_field(code, ok, units):
    """VSIC (Quyết định 27/2018/QĐ-TTg): a line of business is registered by its level-4 code (4 digits) or a
    level-5 one (5 digits)."""
    data, errors = check_raw(business(), ALONE | {"f-nganh_nghe-1-ma_nganh": code})
    if ok:
        assert errors == {} and data["nganh_nghe"][1]["ma_nganh"] == code
    else:
        assert set(errors) == {"f-nganh_nghe-1-ma_nganh"}
        assert errors["f-nganh_nghe-1-ma_nganh"] == (
            "“Mã ngành”: không đúng định dạng. Mã ngành cấp 4 hoặc cấp 5 theo Hệ thống ngành kinh tế Việt Nam: "
            "4 hoặc 5 chữ số, ví dụ 4711.")


@time_machine.travel(NOW, tick=False)
def test_exactly_one_main_line_of_business(units):
    none = {k: v for k, v in ALONE.items() if k != "f-nganh_nghe-0-nganh_chinh"}
    two = ALONE | {"f-nganh_nghe-1-nganh_chinh": "on"}
    for raw in (none, two):
        data, errors = check_raw(business(), raw)
        assert data == {} and set(errors) == {"f-nganh_nghe"}, errors
        assert "Đánh dấu đúng một ngành, nghề kinh doanh chính" in errors["f-nganh_nghe"]  # the rule, in words
    data, errors = check_raw(business(), {k: v for k, v in ALONE.items() if not k.startswith("f-nganh_nghe")})
    assert "Chưa điền" in errors["f-nganh_nghe"]


def test_the_head_of_the_household_is_prefilled_from_the_account():
    user = SimpleNamespace(is_authenticated=True, full_name="Hà Văn Phúc", citizen_id="064080000999",
                           phone_display="0912 345 678", email="phuc.ha@example.com", address="Thôn 1")
    raw = initial(business(), user)
    assert raw == {"f-chu_ho_ho_ten": "Hà Văn Phúc", "f-chu_ho_so_dinh_danh": "064080000999",
                   "f-chu_ho_dien_thoai": "0912 345 678", "f-chu_ho_email": "phuc.ha@example.com",
                   "f-dien_thoai": "0912 345 678", "f-email": "phuc.ha@example.com"}


@time_machine.travel(NOW, tick=False)
def test_a_form_of_the_earlier_layout_still_prints_in_its_own_layout(units):
    """A database seeded before the 2025 form keeps that form on its published version (import never changes a
    published version, procedures.transfer): its declarations still print every field in the layout of Thông tư
    01/2021/TT-BKHĐT, not blank lines of the new one."""
    old = json.loads((Path(__file__).parent / "data" / "1.001612-2021.json").read_text(encoding="utf-8"))
    form = Form(old["schema"], old["layout"])
    assert old["print_template"] == "ho_kinh_doanh" and check(old["schema"], old["layout"]) == []
    data, errors = check_raw(form, {
        "f-ten_ho": "HỘ KINH DOANH PHỞ HÀ", **address("dia_chi", "T001", "102 Trần Hưng Đạo"),
        "f-nganh_nghe": "Dịch vụ ăn uống", "f-von": "150000000", "f-so_lao_dong": "4",
        "f-chu_ho_ho_ten": "Hà Văn Phúc", "f-chu_ho_gioi_tinh": "nam", "f-chu_ho_ngay_sinh": "11/11/1980",
        "f-chu_ho_dan_toc": "Kinh", "f-chu_ho_quoc_tich": "Việt Nam", "f-chu_ho_so_dinh_danh": "064080000999",
        **address("chu_ho_noi_cu_tru", "T002", "Thôn 1")})
    assert errors == {}
    words = pdf_words(render_pdf(form, data, template=old["print_template"]))
    for expected in ("Tôi là (ghi họ tên bằng chữ in hoa): HÀ VĂN PHÚC", "2. Địa chỉ trụ sở hộ kinh doanh: 102 Trần "
                     "Hưng Đạo, Phường Thử, Tỉnh Gia Lai", "3. Ngành, nghề kinh doanh: Dịch vụ ăn uống",
                     "Địa chỉ thường trú: Thôn 1, Xã Thử, Tỉnh Gia Lai", "Tôi cam kết"):
        assert expected in words, (expected, words)


@pytest.mark.parametrize("code", FIVE)
@time_machine.travel(NOW, tick=False)
def test_bad_input_is_refused_on_its_field(code, units):
    form_spec = spec(code)
    form = Form(form_spec["schema"], form_spec["layout"])
    changes, expected = BAD[code]
    raw = {k: v for k, v in (SAMPLES[code] | changes).items() if v != ""}
    data, errors = check_raw(form, raw)
    assert data == {}
    for key, words in expected.items():
        assert key in errors, (code, key, errors)
        assert words in errors[key], (code, key, errors[key])


def test_large_numbers_print_with_thousands_separators():
    business = Form(spec("1.001612")["schema"], spec("1.001612")["layout"])
    birth = Form(spec("1.001193")["schema"], spec("1.001193")["layout"])
    assert text_of(business.by_path["von"], 150000000, {}) == "150.000.000"
    assert text_of(business.by_path["so_lao_dong"], 4, {}) == "4"
    assert text_of(birth.by_path["me_nam_sinh"], 1996, {}) == "1996"


def test_the_seed_catalogue_brings_the_five_forms_and_export_round_trips_them():
    import_procedures(seed_text())
    forms = {(f.document.version.procedure.code, f.document.name): f
             for f in DeclarationForm.objects.select_related("document__version__procedure")}
    for code in FIVE:
        form_spec = spec(code)
        stored = forms[(code, form_spec["document"])]
        assert stored.schema == form_spec["schema"] and stored.layout == form_spec["layout"]
        assert stored.print_template == form_spec["print_template"]
        assert stored.official_template == form_spec["official_template"][:300]
    assert len(forms) == len(list(FORMS.glob("*.json")))
    exported = export_json()
    before = {key: (f.schema, f.layout, f.print_template, f.official_template) for key, f in forms.items()}
    Procedure.objects.all().delete()
    assert not DeclarationForm.objects.exists()
    import_procedures(exported)
    after = {(f.document.version.procedure.code, f.document.name): (f.schema, f.layout, f.print_template,
                                                                     f.official_template)
             for f in DeclarationForm.objects.select_related("document__version__procedure")}
    assert after == before


def test_importing_the_seed_again_leaves_a_published_form_alone():
    """A database seeded with the earlier form of 1.001612: `seed_demo` (procedures.demo.seed) imports the seed again,
    and the import skips every version whose decision number the procedure already has, its form with it. The
    published form stays as it was (its dossiers were filled with it); no version is added. The new form reaches
    such a database only through a new version (copied from the published one, its form replaced in the draft)."""
    old = json.loads((Path(__file__).parent / "data" / "1.001612-2021.json").read_text(encoding="utf-8"))
    catalogue = json.loads(seed_text())
    version = next(p for p in catalogue["procedures"] if p["code"] == "1.001612")["versions"][0]
    document = next(d for d in version["documents"] if d["name"] == old["document"])
    document["form"] = {k: old[k] for k in ("schema", "layout", "print_template", "official_template")}
    import_procedures(json.dumps(catalogue, ensure_ascii=False))
    before = DeclarationForm.objects.get(document__version__procedure__code="1.001612")
    counts = import_procedures(seed_text())
    assert counts["versions"] == 0 and counts["procedures"] == 0
    after = DeclarationForm.objects.get(document__version__procedure__code="1.001612")
    assert after.pk == before.pk and after.schema == old["schema"] and after.layout == old["layout"]
    assert after.schema != spec("1.001612")["schema"]
    assert after.document.version.decision_number == version["decision_number"]


@time_machine.travel(NOW, tick=False)
def test_the_registered_address_item_is_never_split_across_pages(units):
    """Item 2 (the address, phone, e-mail, website and "Không kinh doanh tại trụ sở") stays on one page: filled as in
    the walk-through of session 18 (no optional fields, a long line of business), its last line used to start page 2."""
    raw = {"f-chu_ho_ho_ten": "NGUYỄN VĂN AN", "f-chu_ho_ngay_sinh": "12/04/1985", "f-chu_ho_gioi_tinh": "nam",
           "f-chu_ho_so_dinh_danh": "064090000123", "f-chu_ho_dien_thoai": "0912 345 678",
           "f-chu_ho_email": "an.nguyen@example.com", "f-ten_ho": "HỘ KINH DOANH TẠP HÓA AN",
           **address("tru_so", "T001", "12 Trần Hưng Đạo"), "f-dien_thoai": "0912 345 678",
           "f-email": "an.nguyen@example.com", "f-nganh_nghe-rows": "1",
           "f-nganh_nghe-0-ten_nganh": "Bán lẻ lương thực, thực phẩm, đồ uống, thuốc lá, thuốc lào chiếm tỷ trọng lớn "
                                       "trong các cửa hàng kinh doanh tổng hợp",
           "f-nganh_nghe-0-ma_nganh": "4711", "f-nganh_nghe-0-nganh_chinh": "on", "f-von": "150.000.000",
           "f-so_lao_dong": "2", "f-chu_the": "ca_nhan"}
    for variant in (raw, SAMPLES["1.001612"]):
        _data, pdf = render("1.001612", variant)
        pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]
        holding = [n for n, text in enumerate(pages) if "2. Trụ sở của hộ kinh doanh" in text]
        assert len(holding) == 1 and "Không kinh doanh tại trụ sở" in pages[holding[0]]
