"""Hostile text and URLs, made harmless before anyone prints or fetches them.

- ``strip_control``: terminal control characters and escape sequences out of text that
  came from notes, pages, models or users (a note must not retitle the window or clear
  the screen when it is printed);
- ``one_line``: any message (a library's error included) as one short printable line;
- ``parse_web_url``: an http(s) URL checked strictly, with its credentials dropped.

Stdlib only: the CLI imports this at start-up."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import SplitResult, urlsplit, urlunsplit

# ESC-introduced sequences: CSI (ESC [ ... final), OSC/DCS/PM/APC/SOS strings (ended by
# BEL or ESC \\), then any other two-byte escape. 8-bit forms (0x9b CSI, 0x9d OSC) too.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -~]?"
)
# C0 controls except tab and newline, DEL, and C1 controls.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_control(text: str) -> str:
    """``text`` without terminal escape sequences or control characters (tabs and
    newlines stay; a carriage return becomes a newline, so it cannot overwrite a line)."""
    if not text:
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def one_line(text: str, limit: int = 300) -> str:
    """A message on one printable line, cut at about ``limit`` characters."""
    flat = " ".join(strip_control(text).split())
    # Undecodable bytes that a library put into its message become noise, not text.
    flat = flat.replace("\ufffd", "?")
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


class UrlError(ValueError):
    """A URL that is refused before any request; ``str(exc)`` is one line."""


ALLOWED_SCHEMES = ("http", "https")
_NUMERIC_HOST = re.compile(r"^[0-9a-fA-Fx.]+$")


def _host_problem(host: str) -> str | None:
    """Why a host name is refused outright, or None. A host whose last label is a
    number is an IP address in some spelling; only the plain dotted form is accepted,
    because the others (``0177.0.0.1`` octal, ``1.2.3.04``, ``0x7f.1``) are read
    differently by different libraries."""
    if host.startswith("[") or ":" in host:
        try:
            ipaddress.IPv6Address(host.strip("[]").split("%", 1)[0])
        except ValueError:
            return f"invalid IPv6 address {host}"
        return None
    last = host.rstrip(".").rsplit(".", 1)[-1]
    if _NUMERIC_HOST.match(host) and (last.isdigit() or last.lower().startswith("0x")):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return f"ambiguous numeric address {host} (leading zeros, octal or hex parts)"
    if any(c.isspace() or ord(c) < 32 for c in host):
        return "the host name holds spaces or control characters"
    return None


def _without_credentials(parts: SplitResult) -> SplitResult:
    if "@" not in parts.netloc:
        return parts
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1])


def strip_credentials(url: str) -> str:
    """``url`` without ``user:password@``; never raises (a URL too broken to parse is
    returned with everything before the last '@' of its authority removed)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        scheme, sep, rest = url.partition("://")
        if not sep:
            return url
        authority, slash, path = rest.partition("/")
        return f"{scheme}://{authority.rsplit('@', 1)[-1]}{slash}{path}"
    return urlunsplit(_without_credentials(parts))


def parse_web_url(url: str) -> str:
    """The http(s) URL to fetch and store: stripped of spaces, fragment and credentials.
    Raises UrlError (one line, credentials never quoted) for anything that is not a
    well-formed http(s) URL with a plain host."""
    raw = url.strip()
    shown = one_line(strip_credentials(raw), limit=200)
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        reason = one_line(str(exc), limit=80)
        raise UrlError(f"invalid URL {shown} ({reason})") from None
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise UrlError(
            f"refused: only http and https links are fetched, not {parts.scheme or 'no scheme'}:"
        )
    host = parts.hostname
    if not host:
        raise UrlError(f"refused: the URL {shown} has no host")
    problem = _host_problem(host)
    if problem:
        raise UrlError(f"refused: {problem}")
    clean = _without_credentials(parts)._replace(fragment="")
    return urlunsplit(clean)
