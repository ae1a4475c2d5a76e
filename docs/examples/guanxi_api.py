"""A minimal Guanxi API client: standard library only (urllib), for the integration examples.

    api = GuanxiAPI("https://crm.example.com", "gx_…")
    api.get("/api/v1/companies/")
    api.put("/api/v1/companies/by-external-id/erp/C-1001/", {"name": "…"})

It sends the token, encodes and decodes JSON, waits and retries when the server answers 429 (honouring
Retry-After) or is briefly unavailable, and raises ApiError with the server's field-by-field message
otherwise.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request


class ApiError(Exception):
    def __init__(self, status, body, method, path):
        super().__init__(f"{method} {path} answered {status}: {body}")
        self.status = status
        self.body = body


class GuanxiAPI:
    def __init__(self, base_url=None, token=None, *, retries=5, timeout=30):
        self.base_url = (base_url or os.environ["GUANXI_URL"]).rstrip("/")
        self.token = token or os.environ["GUANXI_TOKEN"]
        self.retries = retries
        self.timeout = timeout

    def request(self, method, path, body=None, headers=None):
        url = path if path.startswith("http") else self.base_url + path
        data = None if body is None else json.dumps(body).encode("utf-8")
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - http(s) only
            request.add_header("Authorization", f"Token {self.token}")
            request.add_header("Accept", "application/json")
            if data is not None:
                request.add_header("Content-Type", "application/json")
            for name, value in (headers or {}).items():
                request.add_header(name, value)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    raw = response.read()
                    return json.loads(raw) if raw else None
            except urllib.error.HTTPError as error:
                raw = error.read().decode("utf-8", errors="replace")
                if error.code in (429, 502, 503, 504) and attempt < self.retries:
                    wait = int(error.headers.get("Retry-After") or 2**attempt)
                    time.sleep(min(wait, 60))
                    continue
                try:
                    detail = json.loads(raw)
                except ValueError:
                    detail = raw
                raise ApiError(error.code, detail, method, path) from None
        raise AssertionError("unreachable")

    def get(self, path, **params):
        if params:
            path += "?" + urllib.parse.urlencode(params)
        return self.request("GET", path)

    def post(self, path, body):
        return self.request("POST", path, body)

    def put(self, path, body):
        return self.request("PUT", path, body)

    def patch(self, path, body):
        return self.request("PATCH", path, body)

    def all(self, path, **params):
        """Every record of a list endpoint, following the `next` links (keyset pages)."""
        page = self.get(path, **params)
        while True:
            yield from page["results"]
            if not page.get("next"):
                return
            page = self.request("GET", page["next"])

    def bulk(self, objects_path, items, system=None, chunk=500):
        """Upsert many records (at most 1,000 per request); returns every item's result, in order."""
        results = []
        for start in range(0, len(items), chunk):
            body = {"items": items[start : start + chunk]}
            if system:
                body["system"] = system
            answer = self.post(f"/api/v1/{objects_path}/bulk/", body)
            for result in answer["results"]:
                result["index"] += start
                results.append(result)
        return results

    @staticmethod
    def quote(external_id):
        """An external id as a URL path segment (ids may hold spaces, dots, CJK …; not slashes)."""
        return urllib.parse.quote(str(external_id), safe="")
