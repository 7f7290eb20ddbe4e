from django.urls import path

from . import admin_views

app_name = "np_admin"

# Mounted under /lien-thong/cong-quoc-gia/ (administrators: mapping, refusals, counts).
urlpatterns = [
    path("", admin_views.index, name="index"),
    path("anh-xa/<int:pk>/", admin_views.map_version, name="map"),
]
