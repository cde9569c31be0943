"""Login with lockout after repeated failures, logout, and a site's account management."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
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


class MembershipForm(forms.Form):
    """Deactivate or reactivate one membership at the administrator's sites: the person's role
    at that site only, never their account (they keep working at their other sites)."""

    action = forms.ChoiceField(choices=[("deactivate", "Deactivate"), ("reactivate", "Reactivate")])
    membership = forms.ModelChoiceField(
        queryset=Membership.objects.none(),
        error_messages={
            "invalid_choice": "Choose a membership at your sites, other than your own.",
        },
    )

    def __init__(self, *args: Any, admin: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = (  # type: ignore[attr-defined]
            Membership.objects.filter(site__in=admin_sites(admin))
            .exclude(user=admin)
            .select_related("user", "site")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        membership, action = data.get("membership"), data.get("action")
        if membership is not None and membership.active == (action == "reactivate"):
            state = "active" if membership.active else "inactive"
            self.add_error("membership", f"This membership is already {state}.")
        return data


def _change_membership(request: HttpRequest, form: MembershipForm) -> None:
    membership: Membership = form.cleaned_data["membership"]
    active = form.cleaned_data["action"] == "reactivate"
    with transaction.atomic():
        membership.active = active
        membership.save(update_fields=["active"])
        record(
            request,
            Action.UPDATE,
            site=membership.site,
            obj=membership,
            changes={
                "account": membership.user.username,
                "role": membership.role,
                "active": {"from": not active, "to": active},
            },
        )


@site_admin
@require_http_methods(["GET", "POST"])
def accounts_view(request: HttpRequest) -> HttpResponse:
    """A site administrator creates accounts at their sites, and deactivates or reactivates
    memberships there."""
    sites = admin_sites(request.user)
    changing = request.method == "POST" and (
        "action" in request.POST or "membership" in request.POST
    )
    form = NewAccountForm(None if changing else request.POST or None, sites=sites)
    membership_form = MembershipForm(request.POST if changing else None, admin=request.user)
    status = 200
    if changing:
        if membership_form.is_valid():
            _change_membership(request, membership_form)
            return HttpResponseRedirect(request.path)
        status = 400
    elif request.method == "POST":
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
    context = {"form": form, "membership_form": membership_form, "memberships": memberships}
    return render(request, "accounts/accounts.html", context, status=status)
