"""What the browser tests share: a small driver around a Playwright page pointed at the live server."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, Response, expect

from guanxi.core.testing.factories import PASSWORD

# Set GUANXI_E2E_SCREENSHOTS=/some/dir to keep a screenshot of each step that calls `shot()`.
SCREENSHOTS = os.environ.get("GUANXI_E2E_SCREENSHOTS", "")


class App:
    """The application as one person sees it in one browser tab."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url.rstrip("/")

    # --- navigation ------------------------------------------------------------------------------
    def url(self, path: str = "/") -> str:
        return f"{self.base_url}{path}"

    def url_pattern(self, path_regex: str) -> re.Pattern[str]:
        """A regex matching this server's URL whose path (and query) match `path_regex` exactly."""
        return re.compile(rf"^{re.escape(self.base_url)}{path_regex}$")

    def go(self, path: str, *, status: int = 200) -> Response:
        response = self.page.goto(self.url(path))
        assert response is not None, f"no response for {path}"
        assert response.status == status, f"GET {path} answered {response.status}, expected {status}"
        return response

    def submit(self, button: str | Locator, *, status: int | None = 200) -> Response:
        """Click a submit button and wait for the page the form leads to (after redirects); check its
        status unless `status` is None."""
        target = self.page.locator(button) if isinstance(button, str) else button
        with self.page.expect_navigation() as navigation:
            target.click()
        response = navigation.value
        assert response is not None
        if status is not None:
            assert response.status == status, f"{response.url} answered {response.status}, expected {status}"
        return response

    # --- people ----------------------------------------------------------------------------------
    def sign_in(self, username: str, password: str = PASSWORD) -> Response:
        if not self.page.url.startswith(self.url("/login/")):
            self.go("/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        return self.submit("#login-form button[type=submit]", status=None)

    def sign_in_as(self, user: Any) -> None:
        self.sign_in(user.username)
        expect(self.page.locator("#user-menu")).to_have_text(user.name)

    # --- what the page shows ---------------------------------------------------------------------
    def title(self) -> Locator:
        return self.page.locator("h2.page-title")

    def messages(self) -> Locator:
        return self.page.locator(".gx-messages .alert")

    def rows(self) -> Locator:
        return self.page.locator("#object-list tbody tr[data-id]")

    def row_ids(self) -> list[int]:
        """The ids of the listed records, read from each row's link to its record."""
        hrefs = self.rows().evaluate_all("rows => rows.map(r => r.querySelector('a[href$=\"/\"]').pathname)")
        return [int(href.rstrip("/").rsplit("/", 1)[1]) for href in hrefs]

    def column_headers(self) -> list[str]:
        return [t.strip() for t in self.page.locator("#object-list thead th").all_text_contents()]

    def detail_value(self, label: str) -> Locator:
        """The value beside `label` in a record's Details card."""
        return self.page.locator(
            ".gx-fields dt", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")
        ).locator("xpath=following-sibling::dd[1]")

    def open_menu(self, section: str, item: str) -> None:
        self.page.locator(".gx-navbar .nav-link.dropdown-toggle", has_text=section).click()
        with self.page.expect_navigation():
            self.page.locator(".gx-navbar .dropdown-menu.show .dropdown-item", has_text=item).click()

    def shot(self, name: str) -> None:
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(SCREENSHOTS) / f"e2e-{name}.png"), full_page=True)
