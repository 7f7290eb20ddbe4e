"""The problems a signature check reports, as codes with parameters. An upload's report keeps the codes, so
each reader sees the reasons in their own language (a light module: the dossier model imports it)."""

from __future__ import annotations

from django.utils.translation import gettext as _

# Each problem a signature can have, as a code with parameters: stored with an upload and shown in the
# reader's language when displayed (`problem_text`), not frozen in the language of the one who uploaded.
PROBLEMS = {
    "no_certificate": lambda p: _("Chữ ký không kèm chứng thư của người ký."),
    "not_in_validity": lambda p: _(
        "Chứng thư chỉ có hiệu lực từ %(start)s đến %(end)s, không có hiệu lực lúc ký (%(when)s).") % p,
    "unverifiable": lambda p: _("Không kiểm tra được chữ ký: %s") % p.get("detail", ""),
    "bad_timestamp": lambda p: _("Dấu thời gian kèm chữ ký không hợp lệ hoặc do đơn vị không tin cậy cấp."),
    "modified": lambda p: _("Nội dung đã bị thay đổi sau khi ký: chữ ký không còn khớp với tệp."),
    "untrusted": lambda p: _(
        "Chứng thư do tổ chức không có trong danh sách tin cậy của tỉnh cấp (%s), hoặc chuỗi chứng thư "
        "không hợp lệ.") % p.get("issuer", ""),
    "form_changed": lambda p: _(
        "Nội dung biểu mẫu trong tệp đã bị thay đổi sau khi ký, và không có chữ ký hợp lệ nào sau đó xác nhận."),
    "not_whole_file": lambda p: _(
        "Chữ ký không bao trùm toàn bộ tệp: tệp đã bị sửa hoặc thêm nội dung sau khi ký."),
}


def problem_text(code: str, params: dict | None = None) -> str:
    render = PROBLEMS.get(code)
    return render(params or {}) if render else code
