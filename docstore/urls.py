from django.urls import path

from . import views

app_name = "docstore"

urlpatterns = [
    path("", views.store, name="store"),
    path("<int:pk>/tep/", views.download, name="download"),
    path("<int:pk>/xoa/", views.delete, name="delete"),
    path("dung-lai/<int:dossier_pk>/", views.reuse, name="reuse"),
]
