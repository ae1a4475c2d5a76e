"""URLs of bench_api_floor.py: Guanxi's own URLs plus the cheapest endpoints an API request could reach,
each adding one layer — a plain Django view, a bare DRF view, DRF with the API's token authentication,
and that with the API's rate limit. None reads a page of records or serialises one."""

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from guanxi.core.throttling import ApiRateThrottle
from guanxi.users.authentication import TokenAuthentication

EMPTY_PAGE = {"results": [], "next": None}


def plain(request: HttpRequest) -> JsonResponse:
    return JsonResponse(EMPTY_PAGE)


class Bare(APIView):
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes: list[Any] = []

    def get(self, request: Request) -> Response:
        return Response(EMPTY_PAGE)


class Token(Bare):
    authentication_classes = [TokenAuthentication]


class TokenAndRateLimit(Token):
    throttle_classes = [ApiRateThrottle]


urlpatterns = [
    path("floor/plain/", plain),
    path("floor/drf/", Bare.as_view()),
    path("floor/token/", Token.as_view()),
    path("floor/rate-limit/", TokenAndRateLimit.as_view()),
    path("", include("guanxi.urls")),
]
