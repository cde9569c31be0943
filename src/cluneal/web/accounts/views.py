"""Login with lockout after repeated failures, logout, and a site's account management."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from cluneal.web.accounts import lockout
from cluneal.web.accounts.access import admin_sites, site_admin
from cluneal.web.accounts.models import Membership, Role, Site
from cluneal.web.audit.log import client_ip, record
from cluneal.web.audit.models import Action


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or settings.LOGIN_REDIRECT_URL
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = settings.LOGIN_REDIRECT_URL
    context: dict[str, object] = {"next": next_url}
    if request.method != "POST":
        context["form"] = AuthenticationForm(request)
        return render(request, "accounts/login.html", context)
    raw = request.POST.get("username", "")
    name, key, ip = lockout.login_name(raw)[:200], lockout.account_key(raw), client_ip(request)
    lock = lockout.locked(key, ip)
    if lock is not None:
        # Refused before the password is checked: a locked account answers the same whether
        # the password is right or wrong, and the attempt does not extend the lock.
        record(request, Action.LOGIN_FAILED, actor=name, changes={"locked": lock})
        context["form"] = AuthenticationForm(request, initial={"username": name})
        context["locked"] = lockout.lock_message()
        response = render(request, "accounts/login.html", context, status=429)
        response["Retry-After"] = str(settings.CLUNEAL_LOGIN_LOCK_SECONDS)
        return response
    form = AuthenticationForm(request, data=request.POST)
    if form.is_valid():
        login(request, form.get_user())
        record(request, Action.LOGIN)
        return HttpResponseRedirect(next_url)
    lockout.fail(key, ip)
    record(request, Action.LOGIN_FAILED, actor=name)
    context["form"] = form
    return render(request, "accounts/login.html", context, status=400)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record(request, Action.LOGOUT)
    logout(request)
    return HttpResponseRedirect(settings.LOGOUT_REDIRECT_URL)


class NewAccountForm(forms.Form):
    username = forms.RegexField(regex=r"^[\w.@+-]{3,150}$", max_length=150)
    password = forms.CharField(widget=forms.PasswordInput, min_length=10, max_length=128)
    role = forms.ChoiceField(choices=Role.choices)
    site = forms.ModelChoiceField(queryset=Site.objects.none())

    def __init__(self, *args: object, sites: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]

    def clean_username(self) -> str:
        name = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=name).exists():
            raise forms.ValidationError("This username is taken.")
        return name

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        validate_password(password)
        return password


@site_admin
@require_http_methods(["GET", "POST"])
def accounts_view(request: HttpRequest) -> HttpResponse:
    """A site administrator creates accounts at their sites and deactivates them."""
    sites = admin_sites(request.user)
    form = NewAccountForm(request.POST or None, sites=sites)
    status = 200
    if request.method == "POST" and request.POST.get("action") == "deactivate":
        membership = (
            Membership.objects.filter(pk=request.POST.get("membership"), site__in=sites)
            .select_related("user")
            .first()
        )
        if membership is None or membership.user == request.user:
            raise PermissionDenied
        membership.user.is_active = False
        membership.user.save(update_fields=["is_active"])
        record(
            request,
            Action.UPDATE,
            site=membership.site,
            changes={"account": membership.user.username, "is_active": {"from": True, "to": False}},
        )
        return HttpResponseRedirect(request.path)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            with transaction.atomic():
                user = get_user_model().objects.create_user(
                    data["username"], password=data["password"]
                )
                Membership.objects.create(user=user, site=data["site"], role=data["role"])
                record(
                    request,
                    Action.CREATE,
                    site=data["site"],
                    changes={"account": user.username, "role": data["role"]},
                )
            return HttpResponseRedirect(request.path)
        status = 400
    memberships = (
        Membership.objects.filter(site__in=sites)
        .select_related("user", "site")
        .order_by("site__name", "user__username")
    )
    return render(
        request, "accounts/accounts.html", {"form": form, "memberships": memberships}, status=status
    )
