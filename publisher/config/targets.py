"""``targets`` in feed_config.yaml -> Target values, and the lookup of one by name.

A target is a local folder or ``s3://bucket/prefix`` plus the public URL apps use. Secrets
are never accepted here: credentials come from the AWS chain.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from publisher import weburl
from publisher.config.schema import Context, Mismatch, check_keys
from publisher.errors import ConfigError
from publisher.model import Show, Target

TARGET_KEYS = (
    "location",
    "public_url",
    "endpoint_url",
    "region",
    "addressing_style",
    "production",
    "stale_grace_hours",
)
_SECRET_WORDS = ("secret", "password", "access_key", "token", "credential")
SECRET_HINT = (
    "remove it; supply credentials through the AWS chain: the AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY environment variables, AWS_PROFILE with ~/.aws/credentials, "
    "or an instance role"
)
# How to write a URL that holds other characters than ASCII (D-05).
ASCII_URL_HINT = "write the host in its xn-- form and percent-encode the rest, e.g. 'é' as %C3%A9"
_ENDPOINT_HINT = "the S3 service's address, e.g. https://s3.eu-west-1.amazonaws.com"
_LOCATION_HINT = "a folder or an S3 prefix, e.g. public/ or s3://my-podcast/show"


def is_secret(key: str) -> bool:
    """True for a key that names a credential (never to be kept in feed_config.yaml)."""
    low = key.lower()
    return any(w in low for w in _SECRET_WORDS)


def secret_message(key: str) -> str:
    """The problem for a credential key found in feed_config.yaml (its value never echoed)."""
    return f"'{key}' must not be stored in feed_config.yaml"


def is_http_url(url: str) -> bool:
    """True for an absolute http(s) URL (one that parses: see :mod:`publisher.weburl`)."""
    return weburl.is_http(url)


def parse_targets(value: Any, context: Context) -> tuple[Target, ...]:
    """Every valid target of the ``targets`` mapping; reports the others through ``context``.
    Raises Mismatch when ``value`` is not a mapping."""
    if not isinstance(value, dict):
        raise Mismatch
    found = (_target(str(name), spec, context) for name, spec in value.items())
    return tuple(t for t in found if t is not None)


# long: every key of one target is checked here, each problem at its own line.
def _target(name: str, spec: Any, context: Context) -> Target | None:
    def fail(message: str, *sub: str | int, hint: str | None = None) -> None:
        context.fail(message, name, *sub, hint=hint)

    if not isinstance(spec, dict):
        fail(
            f"target {name!r} must be a mapping with location and public_url",
            hint=f"write e.g. '{name}: {{location: public/, public_url: https://podcast.example.org/}}'",
        )
        return None
    for key in spec:
        if is_secret(str(key)):
            fail(secret_message(str(key)), str(key), hint=SECRET_HINT)
    check_keys({k: v for k, v in spec.items() if not is_secret(str(k))}, TARGET_KEYS, fail)
    location, public_url = spec.get("location"), spec.get("public_url")
    ok = True
    if not isinstance(location, str) or not location.strip():
        fail(f"target {name!r} needs a 'location'", hint=_LOCATION_HINT)
        ok = False
    if not isinstance(public_url, str) or not is_http_url(public_url):
        fail(
            f"target {name!r} needs an absolute http(s) 'public_url' [D-04]",
            *(("public_url",) if public_url is not None else ()),
            hint="the URL apps and listeners use, e.g. https://cdn.example.org/show/",
        )
        ok = False
    elif not public_url.isascii():
        fail(f"target {name!r}: public_url must be ASCII [D-05]", "public_url", hint=ASCII_URL_HINT)
        ok = False
    elif weburl.host(public_url) == "localhost":
        fail(
            f"target {name!r}: use http://127.0.0.1:PORT/ instead of localhost [D-04]",
            "public_url",
            hint="the W3C validator rejects localhost URLs",
        )
        ok = False
    endpoint_url = _opt_str(spec, "endpoint_url")
    if endpoint_url and not weburl.is_http(endpoint_url):
        fail(
            f"target {name!r}: endpoint_url {endpoint_url!r} is not an http(s) URL",
            "endpoint_url",
            hint=_ENDPOINT_HINT,
        )
        endpoint_url = None
    production = spec.get("production", False)
    if not isinstance(production, bool):
        fail(
            f"target {name!r}: 'production' must be true or false",
            "production",
            hint="write 'production: true' on the one target apps subscribe to, else delete it",
        )
        production = False
    grace = spec.get("stale_grace_hours")
    if not _is_hours(grace):
        fail(
            f"target {name!r}: stale_grace_hours must be a number of hours, 0 or more",
            "stale_grace_hours",
            hint="write e.g. 'stale_grace_hours: 24'",
        )
        ok = False
    if not ok:
        return None
    target = make_target(
        name,
        str(location),
        str(public_url),
        context.base,
        endpoint_url=endpoint_url,
        region=_opt_str(spec, "region"),
        addressing_style=_opt_str(spec, "addressing_style"),
        production=production,
        source=context.source,
        line=context.line("targets", name),
        fail=lambda message, hint: fail(message, hint=hint),
    )
    grace_hours = None if grace is None else float(grace)
    return target and dataclasses.replace(target, stale_grace_hours=grace_hours)


def _is_hours(value: Any) -> bool:
    """``stale_grace_hours``: absent, or a number of hours from 0 (a bool is no number)."""
    if value is None:
        return True
    return not isinstance(value, bool) and isinstance(value, int | float) and 0 <= value < 1e6


def find_target(show: Show, name: str | None, *, ad_hoc_hint: bool = False) -> Target:
    """The target called ``name`` (None: the default). Raises ConfigError naming the targets."""
    try:
        return show.target(name)
    except KeyError:
        names = ", ".join(t.name for t in show.targets)
        raise ConfigError(
            f"no target named {name!r}; targets: {names}",
            show.source,
            None,
            "or pass --to s3://bucket/prefix --public-url URL"
            if ad_hoc_hint
            else "pass one of those names, or add the target under 'targets:'",
        ) from None


# long: every check of one target's parts (URLs, credentials, location, bucket, style) in
# one place, so the config and the command line (--to, --public-url) get the same ones.
def make_target(
    name: str,
    location: str,
    public_url: str,
    root: Path,
    *,
    endpoint_url: str | None = None,
    region: str | None = None,
    addressing_style: str | None = None,
    production: bool = False,
    source: Path | None = None,
    line: int | None = None,
    fail: Callable[[str, str], None] | None = None,
) -> Target:
    """A Target from its parts: an s3:// location or a folder (relative to ``root``).
    Raises ConfigError (or reports through ``fail(message, hint)``) for credentials in a URL
    or a bad location."""

    def complain(message: str, hint: str) -> None:
        if fail is None:
            raise ConfigError(message, source, line, hint)
        fail(message, hint)

    public = public_url.strip()
    if not public.endswith("/"):
        public += "/"
    for what, url in (("public_url", public), ("endpoint_url", endpoint_url)):
        parsed = weburl.parse(url or "")
        if parsed is not None and parsed.userinfo:
            # Never echo the URL: what sits before "@" is usually a key or a password.
            complain(
                f"target {name!r}: {what} must not contain a user name or password; it would be "
                "published in every URL of the feed and site",
                "remove them from the URL, and supply credentials through the AWS chain instead",
            )
            public = weburl.without_userinfo(public)
            endpoint_url = weburl.without_userinfo(endpoint_url) if endpoint_url else endpoint_url
    if endpoint_url and not weburl.is_http(endpoint_url):  # e.g. --endpoint-url
        complain(
            f"target {name!r}: endpoint_url {endpoint_url!r} is not an http(s) URL", _ENDPOINT_HINT
        )
        endpoint_url = None
    if location.startswith("s3://"):
        if not location.removeprefix("s3://").split("/", 1)[0]:
            complain(
                f"target {name!r}: {location!r} names no bucket",
                "write the bucket's name after s3://, e.g. s3://my-podcast/show",
            )
        if addressing_style not in (None, "path", "virtual", "auto"):
            complain(
                f"target {name!r}: addressing_style must be path, virtual or auto",
                "write e.g. 'addressing_style: path' (most S3-compatible servers), or delete it",
            )
            addressing_style = None
        return Target(
            name,
            "s3",
            location,
            public,
            endpoint_url,
            region,
            addressing_style,
            source,
            line,
            production,
        )
    if "://" in location:
        complain(
            f"target {name!r}: location {location!r} is neither a folder nor s3://…",
            _LOCATION_HINT,
        )
    folder = (root / location).resolve()
    return Target(name, "local", str(folder), public, None, None, None, source, line, production)


def _opt_str(spec: dict[str, Any], key: str) -> str | None:
    value = spec.get(key)
    return str(value).strip() if value is not None else None
