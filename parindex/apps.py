from django.apps import AppConfig


class ParindexConfig(AppConfig):
    name = "parindex"
    verbose_name = "Chỉ số cải cách hành chính"
