from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _g
from django.views import View

from guanxi.core.http import AuthenticatedHttpRequest
from guanxi.core.permissions import is_admin
from guanxi.core.services import StaleVersionError

from . import services
from .forms import PasswordChangeForm, PreferencesForm, RoleForm, TeamForm, TokenForm, UserAdminForm
from .models import ApiToken, Role, Team, User


class AdminRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not is_admin(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _errors_to_form(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        form.add_error(None, exc)


class PreferencesView(LoginRequiredMixin, View):
    template_name = "users/preferences.html"

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        return self.show(PreferencesForm(instance=request.user), PasswordChangeForm(user=request.user))

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
        if "new_password" in request.POST:
            password_form = PasswordChangeForm(request.POST, user=user)
            if password_form.is_valid():
                try:
                    services.user_set_password(
                        actor=user, user=user, password=password_form.cleaned_data["new_password"]
                    )
                except ValidationError as exc:
                    password_form.add_error("new_password", exc)
                else:
                    update_session_auth_hash(request, user)
                    messages.success(request, _g("Your password was changed."))
                    return HttpResponseRedirect(reverse("users:preferences"))
            return self.show(PreferencesForm(instance=user), password_form, status=400)
        form = PreferencesForm(request.POST, instance=User.objects.get(pk=user.pk))
        if form.is_valid():
            try:
                services.user_update(actor=user, user=user, **form.cleaned_data)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                translation.activate(
                    form.cleaned_data.get("language") or translation.get_language_from_request(request)
                )
                messages.success(request, _g("Preferences saved."))
                response = HttpResponseRedirect(reverse("users:preferences"))
                response.delete_cookie("guanxi_language")
                return response
        return self.show(form, PasswordChangeForm(user=user), status=400)

    def show(self, form: Any, password_form: Any, status: int = 200) -> HttpResponse:
        return render(
            self.request, self.template_name, {"form": form, "password_form": password_form}, status=status
        )


class TokensView(LoginRequiredMixin, View):
    template_name = "users/tokens.html"
    request: AuthenticatedHttpRequest

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        return self.show(TokenForm())

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        if "revoke" in request.POST:
            token = get_object_or_404(ApiToken, pk=request.POST["revoke"], user=request.user)
            services.token_revoke(actor=request.user, token=token)
            messages.success(request, _g("The token was revoked."))
            return HttpResponseRedirect(reverse("users:tokens"))
        form = TokenForm(request.POST)
        if not form.is_valid():
            return self.show(form, status=400)
        token, key = services.token_create(actor=request.user, user=request.user, **form.cleaned_data)
        return self.show(TokenForm(), new_key=key, new_token=token)

    def show(self, form: Any, status: int = 200, **extra: Any) -> HttpResponse:
        tokens = ApiToken.objects.filter(user=self.request.user)
        return render(
            self.request, self.template_name, {"form": form, "tokens": tokens, **extra}, status=status
        )


class AdminHomeView(AdminRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "users/admin_home.html",
            {
                "user_count": User.objects.filter(is_active=True).count(),
                "team_count": Team.objects.count(),
                "role_count": Role.objects.count(),
            },
        )


class UserListView(AdminRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        users = User.objects.select_related("team", "role").order_by("-is_active", "username")
        return render(request, "users/user_list.html", {"users": users})


class UserEditView(AdminRequiredMixin, View):
    template_name = "users/user_form.html"

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        user = get_object_or_404(User, pk=pk) if pk else None
        return render(request, self.template_name, {"form": UserAdminForm(instance=user), "object": user})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        user = get_object_or_404(User, pk=pk) if pk else None
        form = UserAdminForm(request.POST, instance=user if user else None)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "object": user}, status=400)
        data = dict(form.cleaned_data)
        password = data.pop("password", "")
        version = data.pop("version", None)
        try:
            if user is None:
                user, generated = services.user_create(actor=request.user, password=password or None, **data)
                if generated:
                    messages.warning(
                        request,
                        _g("Password for %(user)s: %(password)s — it is shown only now.")
                        % {"user": user.username, "password": generated},
                    )
            else:
                user = services.user_update(actor=request.user, user=user, expected_version=version, **data)
                if password:
                    services.user_set_password(actor=request.user, user=user, password=password)
        except ValidationError as exc:
            _errors_to_form(form, exc)
            return render(request, self.template_name, {"form": form, "object": user}, status=400)
        except StaleVersionError:
            form.add_error(
                None, _g("Someone else changed this user meanwhile. Reload the page and try again.")
            )
            return render(request, self.template_name, {"form": form, "object": user}, status=409)
        messages.success(request, _g("Saved %(name)s.") % {"name": user})
        return HttpResponseRedirect(reverse("users:user_list"))


class TeamListView(AdminRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        teams = Team.objects.annotate(members=Count("user"))
        return render(request, "users/team_list.html", {"teams": teams, "form": TeamForm()})


class TeamEditView(AdminRequiredMixin, View):
    template_name = "users/team_form.html"

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        team = get_object_or_404(Team, pk=pk) if pk else None
        return render(request, self.template_name, {"form": TeamForm(instance=team), "object": team})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        team = get_object_or_404(Team, pk=pk) if pk else None
        if team is not None and "delete" in request.POST:
            services.team_delete(actor=request.user, team=team)
            messages.success(request, _g("Deleted %(name)s.") % {"name": team})
            return HttpResponseRedirect(reverse("users:team_list"))
        form = TeamForm(request.POST, instance=team)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "object": team}, status=400)
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            if team is None:
                team = services.team_create(actor=request.user, **data)
            else:
                team = services.team_update(actor=request.user, team=team, expected_version=version, **data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
            return render(request, self.template_name, {"form": form, "object": team}, status=400)
        except StaleVersionError:
            form.add_error(
                None, _g("Someone else changed this team meanwhile. Reload the page and try again.")
            )
            return render(request, self.template_name, {"form": form, "object": team}, status=409)
        messages.success(request, _g("Saved %(name)s.") % {"name": team})
        return HttpResponseRedirect(reverse("users:team_list"))


class RoleListView(AdminRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        roles = Role.objects.annotate(members=Count("user"))
        return render(request, "users/role_list.html", {"roles": roles})


class RoleEditView(AdminRequiredMixin, View):
    template_name = "users/role_form.html"

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        role = get_object_or_404(Role, pk=pk) if pk else None
        return render(request, self.template_name, {"form": RoleForm(instance=role), "object": role})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        role = get_object_or_404(Role, pk=pk) if pk else None
        if role is not None and "delete" in request.POST:
            try:
                services.role_delete(actor=request.user, role=role)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return HttpResponseRedirect(reverse("users:role_edit", args=[role.pk]))
            messages.success(request, _g("Deleted %(name)s.") % {"name": role})
            return HttpResponseRedirect(reverse("users:role_list"))
        form = RoleForm(request.POST, instance=role)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "object": role}, status=400)
        fields = {
            "description": form.cleaned_data["description"],
            "is_admin": form.cleaned_data["is_admin"],
            "grants": form.grants(),
        }
        try:
            if role is None:
                role = services.role_create(actor=request.user, name=form.cleaned_data["name"], **fields)
            else:
                if not role.code:
                    fields["name"] = form.cleaned_data["name"]
                role = services.role_update(
                    actor=request.user, role=role, expected_version=form.cleaned_data.get("version"), **fields
                )
        except ValidationError as exc:
            _errors_to_form(form, exc)
            return render(request, self.template_name, {"form": form, "object": role}, status=400)
        except StaleVersionError:
            form.add_error(
                None, _g("Someone else changed this role meanwhile. Reload the page and try again.")
            )
            return render(request, self.template_name, {"form": form, "object": role}, status=409)
        messages.success(request, _g("Saved %(name)s.") % {"name": role})
        return HttpResponseRedirect(reverse("users:role_list"))
