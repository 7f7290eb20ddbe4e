"""URLs of the online appointments (included by queueing/urls.py under /xep-hang/)."""

from django.urls import path

from . import booking_views as views

urlpatterns = [
    path("dat-lich/", views.book, name="book"),
    path("lich-hen/", views.my_appointments, name="my_appointments"),
    path("lich-hen/trung-tam/", views.agency_appointments, name="agency_appointments"),
    path("lich-hen/<str:code>/", views.appointment_detail, name="appointment"),
    path("lich-hen/<str:code>/huy/", views.appointment_cancel, name="appointment_cancel"),
    path("<str:agency_code>/lay-so/lich-hen/", views.kiosk_checkin, name="kiosk_checkin"),
]
