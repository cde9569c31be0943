"""Signing in and out, and a site administrator's accounts page."""

from django.urls import path

from cluneal.web.accounts import views

urlpatterns = [
    path("accounts/login", views.login_view, name="login"),
    path("accounts/logout", views.logout_view, name="logout"),
    path("site/accounts", views.accounts_view, name="site-accounts"),
]
