"""Demo document stores: the papers a citizen usually has (citizen ID card, birth certificate,
residence confirmation...; for an.nguyen@example.com also the medical birth certificate of a newborn to register)
as rendered PDFs, beside those the demo dossiers put there. Idempotent: a paper the citizen already holds (same
title) is not added again."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import User
from dossiers.printing import render_pdf

from .models import Source, StoredDocument


def _papers(user: User, today: dt.date) -> list[dict]:
    person = [("Họ, chữ đệm và tên", user.full_name), ("Số định danh cá nhân", user.citizen_id or "")]
    if user.email == "an.nguyen@example.com":
        return [
            {"title": "Căn cước công dân", "agency": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
             "issued_on": dt.date(2021, 4, 12), "valid_until": dt.date(2036, 4, 12), "source": Source.COMPONENT,
             "fields": [*person, ("Ngày sinh", "14/03/1990"), ("Quê quán", "Phường Pleiku, Gia Lai")]},
            {"title": "Giấy khai sinh (bản sao trích lục)", "agency": "UBND phường Pleiku",
             "issued_on": dt.date(2019, 9, 3), "valid_until": None, "source": Source.RESULT,
             "fields": [*person, ("Ngày sinh", "14/03/1990"), ("Nơi sinh", "Bệnh viện đa khoa tỉnh Gia Lai")]},
            {"title": "Giấy xác nhận thông tin về cư trú", "agency": "Công an phường Pleiku",
             "issued_on": today - dt.timedelta(days=60), "valid_until": today + dt.timedelta(days=305),
             "source": Source.RESULT, "fields": [*person, ("Nơi thường trú", "45 Trần Phú, phường Pleiku")]},
            {"title": "Giấy chứng nhận kết hôn", "agency": "UBND phường Pleiku",
             "issued_on": dt.date(2018, 11, 24), "valid_until": None, "source": Source.RESULT,
             "fields": [("Chồng", user.full_name), ("Vợ", "Lê Thị Hạnh"), ("Số", "112/2018")]},
            # A newborn to register (the birth registration's "Giấy chứng sinh", the place of birth its
            # declaration pre-fills from the issuing hospital): demo data like the rest, no real person.
            {"title": "Giấy chứng sinh", "agency": "Bệnh viện Đa khoa tỉnh Gia Lai",
             "issued_on": today - dt.timedelta(days=5), "valid_until": None, "source": Source.COMPONENT,
             "fields": [("Họ, chữ đệm và tên mẹ", "Lê Thị Hạnh"), ("Năm sinh của mẹ", "1993"),
                        ("Dân tộc", "Kinh"),
                        ("Đã sinh con vào ngày", (today - dt.timedelta(days=6)).strftime("%d/%m/%Y")),
                        ("Tại", "Bệnh viện Đa khoa tỉnh Gia Lai"), ("Giới tính của con", "Nam"),
                        ("Cân nặng", "3.200 gam"), ("Dự định đặt tên con", "Nguyễn Minh Khang")]},
        ]
    return [
        {"title": "Căn cước công dân", "agency": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
         "issued_on": dt.date(2022, 8, 2), "valid_until": dt.date(2037, 8, 2), "source": Source.COMPONENT,
         "fields": [*person, ("Ngày sinh", "02/08/1995"), ("Quê quán", "Phường Quy Nhơn, Gia Lai")]},
        {"title": "Giấy khai sinh (bản sao trích lục)", "agency": "UBND phường Quy Nhơn",
         "issued_on": dt.date(2020, 2, 17), "valid_until": None, "source": Source.RESULT,
         "fields": [*person, ("Ngày sinh", "02/08/1995"), ("Nơi sinh", "Trạm y tế phường Quy Nhơn")]},
        # expired: the store shows it and a new dossier asks for a fresh one
        {"title": "Giấy xác nhận thông tin về cư trú", "agency": "Công an phường Quy Nhơn",
         "issued_on": today - dt.timedelta(days=420), "valid_until": today - dt.timedelta(days=55),
         "source": Source.RESULT, "fields": [*person, ("Nơi thường trú", "12 Lê Lợi, phường Quy Nhơn")]},
        {"title": "Bằng tốt nghiệp trung học phổ thông", "agency": "Sở Giáo dục và Đào tạo tỉnh Bình Định",
         "issued_on": dt.date(2013, 7, 20), "valid_until": None, "source": Source.COMPONENT,
         "fields": [*person, ("Xếp loại", "Khá"), ("Số hiệu", "B 0451287")]},
    ]


def seed(context: dict) -> None:
    today = timezone.localdate()
    added = 0
    for user in User.objects.filter(email__in=["an.nguyen@example.com", "binh.tran@example.com"]).order_by("pk"):
        held = set(StoredDocument.objects.filter(owner=user, deleted_at=None).values_list("title", flat=True))
        for paper in _papers(user, today):
            if paper["title"] in held:
                continue
            pdf = render_pdf("docstore/print/demo_document.html", paper)
            doc = StoredDocument(owner=user, title=paper["title"], source=paper["source"],
                                 issuing_agency=paper["agency"], issued_on=paper["issued_on"],
                                 valid_until=paper["valid_until"], original_name=f"{paper['title']}.pdf",
                                 size=len(pdf), sha256=hashlib.sha256(pdf).hexdigest(),
                                 content_type="application/pdf")
            doc.file.save(doc.original_name, ContentFile(pdf), save=False)
            doc.save()
            added += 1
    context["docstore"] = added
