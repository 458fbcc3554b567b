"""The one URL parser: never an exception, whatever the text (an unbalanced bracket, a bad
port), so a bad URL setting is a problem with file, line and key, never a traceback."""

from __future__ import annotations

import pytest

from publisher import weburl

UNPARSABLE = [
    "http://127.0.0.1:80]0/",
    "http://[x/",
    "https://ex]ample.org/",
    "https://[::1/",
    "http://host:port/",
    "http://host:99999/",
    "http://host:-1/",
]


@pytest.mark.parametrize("text", UNPARSABLE)
def test_what_urllib_raises_for_is_none_and_no_predicate_raises(text: str) -> None:
    assert weburl.parse(text) is None
    assert not weburl.is_http(text)
    assert not weburl.is_https(text)
    assert weburl.host(text) == "" and weburl.scheme(text) == ""
    assert weburl.join("https://example.org/a/", text) is None
    assert weburl.without_userinfo(text) == text


def test_parts_of_a_good_url() -> None:
    url = weburl.parse("  HTTPS://user:pw@Example.ORG:8443/a/b?q=1#f ")
    assert url is not None
    assert (url.scheme, url.host, url.port, url.path, url.query, url.fragment) == (
        "https", "example.org", 8443, "/a/b", "q=1", "f",
    )  # fmt: skip
    assert url.userinfo
    assert weburl.without_userinfo("https://user:pw@example.org/x") == "https://example.org/x"
    assert weburl.parse("http://[::1]:8000/") is not None  # a real IPv6 host is fine


def test_predicates() -> None:
    assert weburl.is_http("http://127.0.0.1:8000/") and weburl.is_http("https://e.org")
    assert not weburl.is_http("ftp://e.org/") and not weburl.is_http("https:///x")
    assert weburl.is_https("https://e.org/x") and not weburl.is_https("http://e.org/x")
    assert not weburl.is_https("https://é.org/")  # D-05: ASCII only
    assert not weburl.is_http(None) and not weburl.is_https(3)
