from django.urls import path

from . import views

app_name = "procedures"

urlpatterns = [
    path("", views.procedure_list, name="list"),
    path("mau/<int:pk>/", views.template_download, name="template"),
    path("<str:code>/", views.procedure_detail, name="detail"),
]
