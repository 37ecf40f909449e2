"""Download one web page safely for the reference cache: http(s) only, public addresses
only (checked when each connection is opened, so every redirect hop and every DNS answer
is covered), with a time limit, a size cap and a bounded number of redirects."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urldefrag

import httpcore
import httpx
from pydantic import BaseModel

from interviewer import __version__

USER_AGENT = f"interviewer/{__version__} (fetches pages cited in the user's own study notes)"
ACCEPT = "text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8,*/*;q=0.1"
ALLOWED_SCHEMES = ("http", "https")
REDIRECT_CODES = {301, 302, 303, 307, 308}


class FetchError(Exception):
    """A page could not be fetched; ``str(exc)`` is a one-line reason."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status


class Page(BaseModel):
    url: str
    final_url: str
    status: int
    content_type: str
    charset: str | None = None
    body: bytes


def canonical_url(url: str) -> str:
    """The URL that is fetched, cached and shown: no fragment (it names a spot in the
    same page) and no ``user:password@`` (never stored, shown or sent). Never raises."""
    from interviewer.safety import strip_credentials

    url = strip_credentials(url.strip())
    try:
        return urldefrag(url)[0]
    except ValueError:  # e.g. an unbalanced "[" in the host: fetching reports it
        return url


def check_scheme(url: str) -> None:
    """Refuse, before any request, what is not a well-formed http(s) URL with a plain
    host (``1.2.3.04``, ``0177.0.0.1``, ``[::1`` and the like). Raises FetchError."""
    from interviewer.safety import UrlError, parse_web_url

    try:
        parse_web_url(url)
    except UrlError as exc:
        raise FetchError(str(exc)) from None


def address_problem(address: str) -> str | None:
    """Why an address must not be contacted, or None for a public one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_unspecified or ip.is_multicast or ip.is_reserved:
        return "a reserved address"
    if ip.is_private or not ip.is_global:
        return "a private address"
    return None


def _resolve(host: str, port: int, timeout: float) -> list[str]:
    """getaddrinfo with a deadline (it has none of its own). A daemon thread, so a hung
    resolver never keeps the process alive."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    box: list[Any] = []
    done = threading.Event()

    def work() -> None:
        try:
            box.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as exc:
            box.append(exc)
        finally:
            done.set()

    threading.Thread(target=work, name=f"resolve-{host}", daemon=True).start()
    if not done.wait(timeout):
        raise FetchError(f"DNS lookup of {host} timed out after {timeout:g}s (offline?)")
    result = box[0]
    if isinstance(result, OSError):
        raise FetchError(f"could not resolve host {host} (offline or no such host)")
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in result:
        if sockaddr[0] not in addresses:
            addresses.append(str(sockaddr[0]))
    if not addresses:
        raise FetchError(f"could not resolve host {host}")
    return addresses


class _GuardedBackend(httpcore.SyncBackend):
    """Resolves the host itself, refuses non-public addresses and connects to a checked
    address, so a DNS answer cannot change between the check and the connection. One
    instance per fetch run: a host that failed to resolve fails its other links at once."""

    def __init__(self, allow_private: bool, dns_timeout: float) -> None:
        self._allow_private = allow_private
        self._dns_timeout = dns_timeout
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, int], list[str] | FetchError] = {}

    def addresses(self, host: str, port: int) -> list[str]:
        key = (host, port)
        with self._lock:
            cached = self._answers.get(key)
        if cached is None:
            try:
                cached = _resolve(host, port, self._dns_timeout)
            except FetchError as exc:
                cached = exc
            with self._lock:
                self._answers[key] = cached
        if isinstance(cached, FetchError):
            raise FetchError(str(cached))
        if not self._allow_private:
            for address in cached:
                problem = address_problem(address)
                if problem:
                    what = host if host == address else f"{host} ({address})"
                    raise FetchError(
                        f"refused: {what} is {problem}; only public addresses are fetched "
                        "(INTERVIEWER_ALLOW_PRIVATE_URLS=1 allows it)"
                    )
        return cached

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        last: Exception | None = None
        for address in self.addresses(host, port):
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last = exc
        assert last is not None
        raise last


class _GuardedTransport(httpx.HTTPTransport):
    def __init__(self, backend: _GuardedBackend, max_connections: int) -> None:
        ssl_context = httpx.create_ssl_context(trust_env=False)
        super().__init__(verify=ssl_context, trust_env=False)
        # httpx offers no public hook for the network backend, so replace the pool it
        # built with one that connects through the guard (tests/test_references.py
        # checks that loopback is refused, so a change in httpx cannot slip by).
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context, max_connections=max_connections, network_backend=backend
        )


def make_client(
    *,
    allow_private: bool,
    timeout_s: float,
    connect_timeout_s: float,
    max_connections: int = 8,
) -> httpx.Client:
    """A client for fetching many pages; share it between threads."""
    connect = min(connect_timeout_s, timeout_s)
    backend = _GuardedBackend(allow_private=allow_private, dns_timeout=connect)
    return httpx.Client(
        transport=_GuardedTransport(backend, max_connections),
        timeout=httpx.Timeout(timeout_s, connect=connect),
        follow_redirects=False,  # followed by hand so every hop's scheme is checked
        trust_env=False,  # an environment proxy would bypass the address guard
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
    )


def _one_line(exc: BaseException) -> str:
    from interviewer.safety import one_line

    return one_line(str(exc), limit=200) or type(exc).__name__


def fetch(
    client: httpx.Client,
    url: str,
    *,
    max_bytes: int,
    max_redirects: int,
    deadline_s: float,
) -> Page:
    """GET ``url`` following at most ``max_redirects`` redirects. Raises FetchError."""
    check_scheme(url)
    started = time.monotonic()
    current = url
    try:
        for _hop in range(max_redirects + 1):
            with client.stream("GET", current) as response:
                if response.status_code in REDIRECT_CODES and "location" in response.headers:
                    current = canonical_url(str(response.url.join(response.headers["location"])))
                    check_scheme(current)
                    continue
                if response.status_code >= 400:
                    phrase = response.reason_phrase or ""
                    raise FetchError(
                        f"HTTP {response.status_code} {phrase}".strip(), response.status_code
                    )
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError(_too_large(max_bytes), response.status_code)
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > max_bytes:
                        raise FetchError(_too_large(max_bytes), response.status_code)
                    if time.monotonic() - started > deadline_s:
                        raise FetchError(f"took longer than {deadline_s:g}s; gave up")
                content_type = response.headers.get("content-type", "")
                return Page(
                    url=url,
                    final_url=str(response.url),
                    status=response.status_code,
                    content_type=content_type.split(";", 1)[0].strip().lower(),
                    charset=response.charset_encoding,
                    body=bytes(body),
                )
        raise FetchError(f"more than {max_redirects} redirects (a redirect loop?)")
    except httpx.TimeoutException as exc:
        kind = "connecting" if isinstance(exc, httpx.ConnectTimeout) else "waiting for data"
        raise FetchError(f"timed out {kind} ({_one_line(exc)})") from None
    except httpx.ConnectError as exc:
        raise FetchError(f"could not connect: {_one_line(exc)}") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{type(exc).__name__}: {_one_line(exc)}") from None
    except (httpx.InvalidURL, httpx.CookieConflict, ValueError, UnicodeError) as exc:
        # httpx.InvalidURL is no HTTPError: a URL our own check let through still
        # fails this one link with one line, never the whole run.
        raise FetchError(f"invalid URL ({_one_line(exc)})") from None


def _too_large(max_bytes: int) -> str:
    return (
        f"larger than the {max_bytes / 1e6:.1f} MB limit; skipped "
        "(raise INTERVIEWER_FETCH_MAX_BYTES to fetch it)"
    )
