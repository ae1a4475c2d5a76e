from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from guanxi.core.views import SavedViewSaveView
from guanxi.sales.urls import public_urlpatterns
from guanxi.users.forms import LoginForm
from guanxi.web import views as web

from .api_urls import register_api

router = SimpleRouter(trailing_slash=True)
register_api(router)

urlpatterns = [
    path("", web.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="users/login.html", authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("search/", web.search, name="search"),
    path("lookup/<slug:object_type>/", web.lookup, name="lookup"),
    path("language/", web.set_language, name="set_language"),
    path("health/", web.health, name="health"),
    path("views/<slug:object_type>/save/", SavedViewSaveView.as_view(), name="saved_view_save"),
    path("customers/", include("guanxi.customers.urls")),
    path("costs/", include("guanxi.costs.urls")),
    path("sales/", include("guanxi.sales.urls")),
    path("activities/", include("guanxi.activities.urls")),
    path("data/", include("guanxi.transfer.urls")),
    path("", include(public_urlpatterns)),
    path("", include("guanxi.users.urls")),
    path("settings/webhooks/", include("guanxi.integrations.urls")),
    path("settings/", include("guanxi.core.urls")),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

# The API answers errors in JSON (its schema says so), the pages in HTML.
handler400 = "guanxi.core.api_errors.bad_request"
handler403 = "guanxi.core.api_errors.permission_denied"
handler404 = "guanxi.core.api_errors.not_found"
handler500 = "guanxi.core.api_errors.server_error"
