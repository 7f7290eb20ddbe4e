from django.urls import path

from . import simulator, views

app_name = "payments"

urlpatterns = [
    path("ho-so/<int:pk>/truc-tuyen/", views.pay_online, name="pay_online"),
    path("ho-so/<int:pk>/tai-quay/", views.pay_desk, name="pay_desk"),
    path("ho-so/<int:pk>/hoan-tra/", views.refund, name="refund"),
    path("bien-lai/<int:pk>.pdf", views.receipt_pdf, name="receipt"),
    path("vnpay/ket-qua/", views.vnpay_return, name="vnpay_return"),
    path("vnpay/ipn/", views.vnpay_ipn, name="vnpay_ipn"),
    path("mo-phong/vnpay/", simulator.gateway_page, name="simulator"),
]
