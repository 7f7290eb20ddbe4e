from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Thanh toán phí, lệ phí"

    def ready(self) -> None:
        from dossiers.panels import Panel, register

        from .views import fee_panel_context

        register(Panel("fees", "payments/_fees.html", fee_panel_context, place="after_actions"))
