"""Watching a page in Chromium for what a listener would notice: console errors, uncaught script
errors and failed requests.

A request the browser cancels because the page navigated away (``net::ERR_ABORTED`` for a
request issued before a later navigation of the main frame) is not a failure of the site: a
listener who clicks a link leaves whatever the old page was still fetching. The commonest such
request arrives *after* the page's load event: Chromium fetches the ``<link rel="icon">``
(here the cover art) only once the page has loaded, so a click right after ``load`` can cancel
it. Such requests are kept apart in :attr:`PageWatch.left_behind` instead of counting as errors.
"""

from __future__ import annotations

from typing import Any

ABORTED = "net::ERR_ABORTED"


class PageWatch:
    """Listens to ``page`` from now on; ``errors`` lists what went wrong, in order."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.responses: list[Any] = []
        self.left_behind: list[str] = []
        self._navigations = 0  # main-frame navigations started so far
        self._issued_during: dict[Any, int] = {}  # request -> _navigations when it was issued
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", self._request)
        page.on("requestfailed", self._failed)
        page.on("response", lambda r: self.responses.append(r))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _request(self, request: Any) -> None:
        if request.is_navigation_request() and request.frame.parent_frame is None:
            self._navigations += 1
        self._issued_during[request] = self._navigations

    def _failed(self, request: Any) -> None:
        issued = self._issued_during.get(request)
        if request.failure == ABORTED and issued is not None and issued < self._navigations:
            self.left_behind.append(request.url)
        else:
            self.errors.append(f"failed: {request.url} ({request.failure})")
