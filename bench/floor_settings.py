"""Guanxi's settings with bench/floor_urls.py as the URL configuration (bench_api_floor.py)."""

from guanxi.settings import *  # noqa: F403

ROOT_URLCONF = "floor_urls"
