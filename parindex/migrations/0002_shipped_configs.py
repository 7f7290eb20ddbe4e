"""The shipped index configurations (data; administrators copy a version and edit it):
- Decision 766 as the national portal scores it in 2026 (qd766.md);
- the province PAR INDEX structure of QĐ 2948/QĐ-BNV (8 areas; the QĐ 876 table is not confirmed);
- the department / commune index in the form Hòa Bình publishes (evidence + two survey parts)."""

import datetime as dt

from django.db import migrations

GROUPS_766 = [("transparency", "Công khai, minh bạch", 18, True), ("progress", "Tiến độ giải quyết", 20, False),
              ("online", "Dịch vụ công trực tuyến", 12, False), ("digitization", "Số hóa hồ sơ", 22, True),
              ("satisfaction", "Mức độ hài lòng", 18, True), ("payment", "Thanh toán trực tuyến", 10, False)]
INDICATORS_766 = [
    ("transparency", "PUBLISH_ON_TIME", "Công bố TTHC đúng hạn", 6, "tthc_published_on_time/tthc_due_for_publication", {"kind": "linear", "when_empty": None}),
    ("transparency", "PUBLIC_UPDATE_ON_TIME", "Công khai TTHC đúng hạn", 4, "tthc_updated_on_time/tthc_due_for_update", {"kind": "linear", "when_empty": None}),
    ("transparency", "PUBLIC_CONTENT_FULL", "TTHC công khai đầy đủ nội dung", 2, "tthc_with_full_content/tthc_publicly_listed", {"kind": "linear", "when_empty": None}),
    ("transparency", "DOSSIER_SYNC", "Đồng bộ trạng thái hồ sơ", 6, "dossiers_synced/dossiers_to_sync", {"kind": "linear", "when_empty": None}),
    ("progress", "PROGRESS_ON_TIME", "Hồ sơ giải quyết đúng hạn", 20, "dossiers_on_time/dossiers_received", {"kind": "linear", "when_empty": 0}),
    ("online", "ONLINE_TTHC_PROVIDED", "TTHC cung cấp trực tuyến", 2, "tthc_online_partial+tthc_online_full/tthc_in_scope", {"kind": "threshold", "full_at": 0.8, "when_empty": 0}),
    ("online", "ONLINE_SERVICES_WITH_DOSSIERS", "DVCTT phát sinh hồ sơ", 4, "online_services_with_dossiers/online_services_total", {"kind": "linear", "when_empty": 0}),
    ("online", "ONLINE_SUBMISSION_SHARE", "Tỷ lệ hồ sơ trực tuyến", 6, "dossiers_submitted_online/dossiers_total_by_channel", {"kind": "threshold", "full_at": 0.5, "when_empty": 0}),
    ("digitization", "ORIGINAL_RESULT_AVAILABLE", "Kết quả điện tử", 6, "dossiers_with_e_result/dossiers_e_result_base", {"kind": "linear", "when_empty": None}),
    ("digitization", "SO_HOA_GIAY_TO_GIAI_QUYET", "Số hóa hồ sơ, kết quả", 4, "dossiers_digitized/dossiers_digitized_base", {"kind": "linear", "when_empty": None}),
    ("digitization", "ELECTRONIC_CERTIFIED_COPY", "Chứng thực điện tử", 2, "certified_copy_ratio_percent", {"kind": "percent"}),
    ("digitization", "REUSED_DIGITIZED_DATA", "Tái sử dụng dữ liệu số hóa", 2, "dossiers_reusing_data/dossiers_reusing_data_base", {"kind": "threshold", "full_at": 0.8, "when_empty": None}),
    ("digitization", "SYNCED_WITH_DVCQG_PERSONAL_STORAGE", "Đồng bộ kho dữ liệu cá nhân", 4, "dossiers_linked_personal_storage/dossiers_linked_personal_storage_base", {"kind": "linear", "when_empty": None}),
    ("digitization", "CITIZEN_DATA_CONNECTED_DOSSIER", "Hồ sơ khai thác dữ liệu dân cư", 2, "dossiers_using_citizen_data/dossiers_using_citizen_data_base", {"kind": "linear", "when_empty": None}),
    ("digitization", "CITIZEN_DATA_CONNECTED_FORMALITY", "TTHC kết nối dữ liệu dân cư", 2, "tthc_citizen_data_connected/tthc_for_citizens", {"kind": "linear", "when_empty": None}),
    ("satisfaction", "PETITION_PROCESSING_ON_TIME", "Xử lý phản ánh đúng hạn", 6, "petitions_on_time/petitions_total", {"kind": "linear", "when_empty": 6}),
    ("satisfaction", "PETITION_HANDLING_SATISFACTION", "Xử lý phản ánh hài lòng", 6, "petitions_satisfied/petitions_received", {"kind": "linear", "when_empty": 6}),
    ("satisfaction", "DOSSIER_RECEIVING_SATISFACTION", "Hài lòng về giải quyết hồ sơ", 6, "dossiers_satisfied/dossiers_handled", {"kind": "threshold", "full_at": 0.9, "when_empty": 0}),
    ("payment", "PAYMENT_DOSSIERS_PAID_ONLINE", "Hồ sơ thanh toán trực tuyến", 6, "dossiers_paid_online/dossiers_with_financial_obligation", {"kind": "linear", "when_empty": 0}),
    ("payment", "PAYMENT_TTHC_WITH_ONLINE_PAYMENT", "TTHC có thanh toán trực tuyến", 2, "tthc_with_online_payment/tthc_with_fee", {"kind": "threshold", "full_at": 0.8, "when_empty": 0}),
    ("payment", "PAYMENT_TTHC_FEE_INTEGRATED", "TTHC tích hợp phí trên Cổng quốc gia", 2, "tthc_fee_integrated/tthc_with_fee", {"kind": "threshold", "full_at": 0.8, "when_empty": 0}),
]
PAR_2948 = [("1", "Công tác chỉ đạo, điều hành CCHC", 10), ("2", "Xây dựng và tổ chức thực hiện VBQPPL tại tỉnh", 10),
            ("3", "Cải cách TTHC", 14.5), ("4", "Cải cách tổ chức bộ máy hành chính", 11),
            ("5", "Xây dựng và nâng cao chất lượng đội ngũ CCVC", 16), ("6", "Cải cách tài chính công", 7),
            ("7", "Hiện đại hoá hành chính", 16),
            ("8", "Tác động của CCHC đến người dân, tổ chức và phát triển KT-XH", 15.5)]
AGENCY_HOABINH = [("TLKC", "Điểm đánh giá qua tài liệu kiểm chứng", 60, "self_assessed"),
                  ("XHH_CCHC", "Điểm điều tra xã hội học về công tác CCHC", 32, "survey"),
                  ("XHH_MDHL", "Điểm điều tra xã hội học về mức độ hài lòng", 8, "survey")]


def seed(apps, schema_editor):
    IndexConfig = apps.get_model("parindex", "IndexConfig")
    Criterion = apps.get_model("parindex", "Criterion")
    cfg, created = IndexConfig.objects.get_or_create(code="qd766", version="766-2026", defaults={
        "name": "Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh nghiệp (QĐ 766)",
        "kind": "qd766", "effective_from": dt.date(2026, 1, 1), "status": "published",
        "source": "QĐ 766/QĐ-TTg 23/6/2022; công thức theo điểm Cổng DVCQG công bố 2026 (qd766.md)"})
    if created:
        for order, (code, name, points, per_indicator) in enumerate(GROUPS_766, 1):
            group = Criterion.objects.create(config=cfg, code=code, name=name, order=order, max_points=points,
                                             method="sum", rule={"kind": "sum", **({"round": "per_indicator"}
                                                                                   if per_indicator else {})})
            for i, (g, c, n, p, metric, rule) in enumerate([x for x in INDICATORS_766 if x[0] == code], 1):
                Criterion.objects.create(config=cfg, parent=group, code=c, name=n, order=i, max_points=p,
                                         method="computed", metric=metric, rule=rule)
    cfg, created = IndexConfig.objects.get_or_create(code="par-tinh", version="qd2948", defaults={
        "name": "Chỉ số cải cách hành chính cấp tỉnh", "kind": "par_province", "effective_from": dt.date(2018, 1, 1),
        "status": "published",
        "source": "QĐ 2948/QĐ-BNV: 8 lĩnh vực, 38 tiêu chí, 81 tiêu chí thành phần (bảng của QĐ 876 chưa xác nhận: "
                  "sao chép phiên bản này và sửa khi có)."})
    if created:
        for order, (code, name, points) in enumerate(PAR_2948, 1):
            Criterion.objects.create(config=cfg, code=f"LV{code}", name=name, order=order, max_points=points,
                                     method="self_assessed", rule={"kind": "given"})
    cfg, created = IndexConfig.objects.get_or_create(code="cchc-so-xa", version="hoabinh-2023", defaults={
        "name": "Chỉ số CCHC của sở, ban, ngành và UBND cấp xã", "kind": "agency",
        "effective_from": dt.date(2023, 1, 1), "status": "published",
        "source": "Theo mẫu tỉnh Hòa Bình công bố (QĐ 3016/QĐ-UBND 26/12/2023): chỉ số = điểm tài liệu kiểm chứng "
                  "+ điểm ĐTXHH về CCHC + điểm ĐTXHH về mức độ hài lòng (tối đa 8); chỉ số hài lòng = điểm / 8 × 100. "
                  "Điểm tối đa 60 và 32 chưa xác nhận."})
    if created:
        for order, (code, name, points, method) in enumerate(AGENCY_HOABINH, 1):
            Criterion.objects.create(config=cfg, code=code, name=name, order=order, max_points=points, method=method,
                                     rule={"kind": "given"})


class Migration(migrations.Migration):
    dependencies = [("parindex", "0001_index_configs_and_snapshots")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
