"""Amazon's rules for the `SignatureCertChainUrl` header, applied before anything is fetched."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from psoas_release.web.errors import VerificationError

__all__ = ["CERT_HOST", "canonical_cert_url"]

CERT_HOST = "s3.amazonaws.com"
# What the path must be once dot segments are removed: one file name straight under echo.api,
# no longer than Amazon could need (theirs are about 20 characters), since it becomes a fetch
# and a cache key.
_CERT_PATH = re.compile(r"/echo\.api/[A-Za-z0-9._-]{1,100}")
# Refused before parsing, so a header of many kilobytes costs no work on dot segments.
MAX_CERT_URL_CHARS = 256


def canonical_cert_url(url: str) -> str:
    """Applies Amazon's rules for `SignatureCertChainUrl` and returns the URL to fetch.

    Amazon's rules: scheme https, host s3.amazonaws.com (any case), port 443 if given, and a
    path that starts with `/echo.api/` (exact case) once dot segments are removed. The
    returned URL is the normalised one, so what is fetched is exactly what was checked.

    Stricter than Amazon's wording, because the result is also the cache key and this runs
    before the signature check: a URL over 256 characters, a query, a fragment or any
    percent-escape is refused, and the path must come down to one file name (letters, digits,
    `.`, `_`, `-`; at most 100) under `/echo.api/`. Otherwise S3, which ignores queries and
    decodes escapes, would serve the real certificate under endlessly many keys, and unsigned
    requests could each cost a fetch and push the real certificate out of the cache. Amazon's
    own URLs have none of these.
    """
    text = url.strip()
    if len(text) > MAX_CERT_URL_CHARS:
        raise VerificationError("certificate URL too long")
    if "?" in text or "#" in text:
        raise VerificationError("certificate URL has a query or fragment")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise VerificationError("certificate URL unparseable") from exc
    if parts.scheme.lower() != "https":
        raise VerificationError("certificate URL not https")
    if parts.username is not None or parts.password is not None:
        raise VerificationError("certificate URL has user info")
    if (parts.hostname or "").lower() != CERT_HOST:
        raise VerificationError("certificate URL host not allowed")
    if port is not None and port != 443:
        raise VerificationError("certificate URL port not allowed")
    if "%" in parts.path:
        raise VerificationError("certificate URL path has percent-escapes")
    path = _remove_dot_segments(parts.path)
    if not _CERT_PATH.fullmatch(path):
        raise VerificationError("certificate URL path not allowed")
    return f"https://{CERT_HOST}{path}"


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, so `/echo.api/../x` is judged by where it really points."""
    output: list[str] = []
    rest = path
    while rest:
        if rest.startswith("../"):
            rest = rest[3:]
        elif rest.startswith(("./", "/./")):
            rest = rest[2:]
        elif rest == "/.":
            rest = "/"
        elif rest.startswith("/../"):
            rest = rest[3:]
            if output:
                output.pop()
        elif rest == "/..":
            rest = "/"
            if output:
                output.pop()
        elif rest in (".", ".."):
            rest = ""
        else:
            start = 1 if rest.startswith("/") else 0
            end = rest.find("/", start)
            if end == -1:
                end = len(rest)
            output.append(rest[:end])
            rest = rest[end:]
    return "".join(output)
