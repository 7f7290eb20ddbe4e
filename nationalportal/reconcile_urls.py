from django.urls import path

from . import reconcile_views as views

app_name = "nationalportal_reconcile"

# Mounted under /lien-thong/cong-quoc-gia/doi-soat/ (administrators only).
urlpatterns = [
    path("", views.reconciliation_page, name="page"),
    path("chay/", views.reconcile_now, name="run"),
    path("gui-lai/", views.resend, name="resend"),
    path("lay-ve/", views.pull, name="pull"),
]
