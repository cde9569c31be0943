"""URL map: one definition per product area."""

from django.urls import path

from cluneal.web.api import api
from cluneal.web.calculator import views as calculator

urlpatterns = [
    path("", calculator.calculator, name="calculator"),
    path("calculator/result", calculator.result, name="calculator-result"),
    path("evidence", calculator.evidence, name="evidence"),
    path("api/v1/", api.urls),
]
