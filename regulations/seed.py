"""The rule sets the portal starts with (migration 0002 writes them; an empty table, e.g. a database restored
without them, gets them back on first read). Later versions are added in the admin, never by editing these:
a version once in force does not change.

The apology-reason labels live here and nowhere else in the code (dossiers.ApologyReason keeps only the codes
the program itself refers to).
"""

from __future__ import annotations

import datetime as dt

APOLOGY_REASONS = [
    {"code": "consultation", "label_vi": "Đang chờ ý kiến của cơ quan, đơn vị có liên quan",
     "label_en": "Waiting for the opinion of another agency"},
    {"code": "site_inspection", "label_vi": "Cần thẩm tra, xác minh thực tế",
     "label_en": "On-site verification needed"},
    {"code": "supplement", "label_vi": "Hồ sơ phải bổ sung, hoàn thiện thêm",
     "label_en": "The dossier must be supplemented"},
    {"code": "complex", "label_vi": "Hồ sơ phức tạp, cần thêm thời gian thẩm định",
     "label_en": "Complex dossier, more appraisal time needed"},
    {"code": "system_fault", "label_vi": "Sự cố hệ thống thông tin, đường truyền",
     "label_en": "Information system or network failure"},
    {"code": "lost_damaged", "label_vi": "Hồ sơ bị mất, hư hỏng trong quá trình giải quyết",
     "label_en": "Dossier lost or damaged during processing"},
    {"code": "other", "label_vi": "Lý do khác", "label_en": "Other reason"},
]

# The feedback (PAKN) deadlines, in working days from the filing (publish: from the answer).
FEEDBACK_DAYS = {"feedback_accept_days": 2, "feedback_info_days": 5, "feedback_answer_days": 15,
                 "feedback_publish_days": 2}

VERSIONS = [
    {
        "effective_from": dt.date(2018, 6, 21),
        "legal_basis": (
            "Nghị định 61/2018/NĐ-CP ngày 23/04/2018 (có hiệu lực từ 21/06/2018), sửa đổi bởi Nghị định "
            "107/2021/NĐ-CP: Điều 19 khoản 4 (thông báo yêu cầu bổ sung, hoàn thiện hồ sơ trong 03 ngày làm việc "
            "kể từ ngày tiếp nhận); Điều 19 khoản 9 và Điều 21 (văn bản xin lỗi và hẹn lại ngày trả kết quả, "
            "Mẫu 04 Thông tư 01/2018/TT-VPCP). Thời hạn xử lý phản ánh, kiến nghị: cách tính của Quyết định "
            "766/QĐ-TTg ngày 23/06/2022 (2 ngày tiếp nhận, 5 ngày đề nghị bổ sung thông tin, 15 ngày trả lời, "
            "2 ngày công khai), áp dụng cho cả giai đoạn này như phần mềm vẫn tính."),
        "supplement_window_days": 3,
        **FEEDBACK_DAYS,
        "apology_reasons": APOLOGY_REASONS,
    },
    {
        "effective_from": dt.date(2025, 7, 1),
        "legal_basis": (
            "Nghị định 118/2025/NĐ-CP ngày 09/06/2025 (có hiệu lực từ 01/07/2025, sửa đổi bởi Nghị định "
            "367/2025/NĐ-CP), thay thế Nghị định 61/2018/NĐ-CP: giữ thời hạn 03 ngày làm việc yêu cầu bổ sung "
            "hồ sơ trong quá trình giải quyết và văn bản xin lỗi, đề nghị gia hạn thời gian giải quyết (Mẫu 04 "
            "Thông tư 03/2025/TT-VPCP) như Nghị định 61/2018; điều, khoản tương ứng của Nghị định 118/2025 cần "
            "đối chiếu với văn bản gốc. Thời hạn xử lý phản ánh, kiến nghị: Quyết định 766/QĐ-TTg ngày "
            "23/06/2022."),
        "supplement_window_days": 3,
        **FEEDBACK_DAYS,
        "apology_reasons": APOLOGY_REASONS,
    },
]


def seed_rulesets(RuleSet) -> int:
    """Write the starting versions into an empty table (RuleSet: the model, or its historical version in a
    migration). Returns the number of rows written."""
    if RuleSet.objects.exists():
        return 0
    RuleSet.objects.bulk_create([RuleSet(**version) for version in VERSIONS])
    return len(VERSIONS)
