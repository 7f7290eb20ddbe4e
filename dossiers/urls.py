from django.urls import path

from . import declaration_views, result_views, views
from .lateness import views as lateness_views

app_name = "dossiers"

urlpatterns = [
    path("", views.my_dossiers, name="mine"),
    # The citizen's lookup by code + PIN keeps its URL names ("track", "track_apology_pdf"): links sent.
    path("tra-cuu/", views.lookup, name="track"),
    path("can-xu-ly/", views.worklist, name="worklist"),
    path("tiep-nhan/", views.desk_reception, name="desk"),
    path("so-theo-doi/", views.ledger, name="ledger"),
    path("so-theo-doi/ban-in/<int:pk>/", views.ledger_export, name="ledger_export"),
    path("to-khai/xuat/", declaration_views.declaration_export, name="declaration_export"),
    path("xin-y-kien/", views.consultations, name="consultations"),
    path("bao-cao/tre-han/", lateness_views.late_report, name="late_report"),
    path("nguy-co-tre-hen/", lateness_views.at_risk, name="at_risk"),
    path("tra-cuu/xin-loi/<int:letter_pk>.pdf", lateness_views.lookup_apology_pdf, name="track_apology_pdf"),
    path("nop/<str:code>/", views.dossier_start, name="start"),
    path("tep/<int:pk>/", views.attachment_download, name="attachment"),
    path("tep/<int:pk>/go/", views.attachment_remove, name="attachment_remove"),
    path("<int:pk>/", views.dossier_detail, name="detail"),
    path("<int:pk>/tai-len/", views.attachment_upload, name="upload"),
    path("<int:pk>/mo-khoa-pin/", views.pin_unlock, name="pin_unlock"),
    path("<int:pk>/truong-hop/", views.dossier_cases, name="cases"),
    path("<int:pk>/giay-hen.pdf", views.receipt_pdf, name="receipt"),
    path("<int:pk>/chuyen/<str:kind>/", views.handover_send, name="handover_send"),
    path("<int:pk>/ban-giao/<int:handover_pk>/xac-nhan-<str:what>/", views.handover_confirm, name="handover_confirm"),
    path("<int:pk>/ban-giao/<int:handover_pk>.pdf", views.handover_slip, name="handover_slip"),
    path("<int:pk>/mau-<str:number>.pdf", views.form_pdf, name="form"),
    path("<int:pk>/ket-qua/du-thao-ky-so.pdf", result_views.result_draft_download, name="result_draft"),
    path("<int:pk>/ket-qua/tai-len-ban-da-ky/", result_views.result_signed_upload, name="result_signed_upload"),
    path("<int:pk>/ket-qua/ky-so/", result_views.result_sign, name="result_sign"),
    path("<int:pk>/ket-qua/thu-hoi/", result_views.result_revoke, name="result_revoke"),
    path("<int:pk>/to-khai/<int:document_pk>/", declaration_views.declaration_fill, name="declaration"),
    path("<int:pk>/xin-loi/", lateness_views.apology_draft, name="apology_draft"),
    path("<int:pk>/giao-chuyen-vien/", lateness_views.at_risk_assign, name="at_risk_assign"),
    path("<int:pk>/xin-loi/<int:letter_pk>/", lateness_views.apology_update, name="apology_update"),
    path("<int:pk>/xin-loi/<int:letter_pk>.pdf", lateness_views.apology_pdf, name="apology_pdf"),
    path("<int:pk>/<str:name>/", views.dossier_action, name="action"),
]
