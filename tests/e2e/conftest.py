"""Browser-test fixtures: the application in a headless Chromium, watched for errors on every page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .support import App

# Messages Chromium logs for a document that answered 4xx on purpose (a 404 the test asked for, a 409
# conflict page); those statuses are asserted by the tests themselves.
EXPECTED_CONSOLE = ("Failed to load resource: the server responded with a status of 4",)


@pytest.fixture
def page(page: Any) -> Iterator[Any]:
    """The conftest's page (which fails on JavaScript exceptions), also failing on console errors (CSP
    violations, bad markup the browser complains about), on any 5xx, and on a sub-resource (script,
    style, image, htmx or fetch request) that does not load."""
    problems: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error" and not message.text.startswith(EXPECTED_CONSOLE):
            problems.append(f"console error on {page.url}: {message.text}")

    def on_response(response: Any) -> None:
        kind = response.request.resource_type
        if response.status >= 500 or (response.status >= 400 and kind != "document"):
            problems.append(f"{response.status} for {kind} {response.request.method} {response.url}")

    def on_failed(request: Any) -> None:
        if "ERR_ABORTED" not in (request.failure or ""):  # a navigation cancelled a pending request
            problems.append(f"request failed: {request.method} {request.url} ({request.failure})")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    page.problems = problems
    yield page
    assert not problems, "the browser saw errors:\n" + "\n".join(problems)


@pytest.fixture
def app(page: Any, live_server: Any) -> App:
    return App(page, live_server.url)


@pytest.fixture
def admin_app(app: App, admin_user: Any) -> App:
    """Signed in as `boss`, an administrator of the team HQ."""
    app.sign_in_as(admin_user)
    return app
