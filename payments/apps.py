from django.apps import AppConfig

from dossiers.panels import Panel, register


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Thanh toán phí, lệ phí"

    def ready(self) -> None:
        # views import models, which Django allows only once the app registry is ready (here, in ready())
        from .views import fee_panel_context

        register(Panel("fees", "payments/_fees.html", fee_panel_context, place="after_actions"))
