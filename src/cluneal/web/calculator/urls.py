"""The calculator's URLs: the public front page, its result and the evidence behind it."""

from django.urls import path

from cluneal.web.calculator import views

urlpatterns = [
    path("", views.calculator, name="calculator"),
    path("calculator/result", views.result, name="calculator-result"),
    path("evidence", views.evidence, name="evidence"),
]
