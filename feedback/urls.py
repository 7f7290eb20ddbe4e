from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("", views.feedback_list, name="list"),
    path("gui/", views.feedback_new, name="new"),
    path("xu-ly/", views.feedback_queue, name="queue"),
    path("xu-ly/<int:pk>/", views.feedback_handle, name="handle"),
    path("xu-ly/<int:pk>/tep/", views.feedback_attachment, name="attachment"),
    path("<str:code>/", views.feedback_detail, name="detail"),
]
