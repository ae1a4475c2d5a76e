import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs an event loop in the test thread

from guanxi.core.testing import make_role, make_team, make_user

CHROMIUM = os.environ.get("GUANXI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Requests in another language leave it active in the thread; each test starts in the default one."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def admin_user(db: Any) -> Any:
    from guanxi.users.models import Role

    return make_user("boss", role=Role.objects.get(code="administrator"), team=make_team("HQ"))


@pytest.fixture
def role_user(db: Any) -> Any:
    """`role_user("sales_rep", team)` — a user with a built-in role."""
    from guanxi.users.models import Role

    def build(code: str, team: Any = None, **fields: Any) -> Any:
        return make_user(role=Role.objects.get(code=code), team=team, **fields)

    return build


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required in CI and was not found at {CHROMIUM}")
        pytest.skip(f"browser tests skipped: Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


__all__ = ["make_role", "make_team", "make_user"]
