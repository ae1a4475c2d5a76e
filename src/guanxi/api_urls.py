"""The API routes: every object type that declares a viewset, under /api/v1/<api_path>/, plus the
routes of the platform itself."""

from django.utils.module_loading import import_string
from rest_framework.routers import SimpleRouter

from guanxi.core.registry import registry

EXTRA_ROUTES = [
    ("tokens", "guanxi.users.api.TokenViewSet", "token"),
    ("users", "guanxi.users.api.UserViewSet", "user"),
]


def register_api(router: SimpleRouter) -> None:
    for object_type in registry.all():
        if object_type.viewset and object_type.api_path:
            router.register(object_type.api_path, object_type.viewset_class, basename=object_type.key)
    for prefix, viewset, basename in EXTRA_ROUTES:
        router.register(prefix, import_string(viewset), basename=basename)
    # Webhooks, and for every object type above: <objects>/by-external-id/<system>/<id>/ and <objects>/bulk/.
    import_string("guanxi.integrations.api.register_routes")(router)
