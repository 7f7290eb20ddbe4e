from django.urls import path

from . import assessment_views, views

app_name = "parindex"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("co-quan/<int:pk>/", views.agency_detail, name="agency"),
    path("co-quan/<int:pk>/phan-tich/", views.breakdown, name="breakdown"),
    path("cong-khai/", views.transparency, name="transparency"),
    path("bao-cao/", views.report, name="report"),
    path("chi-so-khac/", assessment_views.external, name="external"),
    path("ho-so/", views.dossier_list, name="dossiers"),
    path("danh-gia/", assessment_views.rounds, name="rounds"),
    path("danh-gia/<int:pk>/", assessment_views.round_results, name="round_results"),
    path("danh-gia/<int:pk>/dieu-tra/", assessment_views.survey_upload, name="survey_upload"),
    path("danh-gia/<int:pk>/co-quan/<int:agency_pk>/", assessment_views.self_assess, name="self_assess"),
    path("tai-lieu/<int:pk>/", assessment_views.evidence_download, name="evidence"),
]
