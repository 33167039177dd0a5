"""One outgoing webhook POST: only to public addresses, and within one deadline.

Two things make a plain `urllib` call unfit for sending to URLs that tenants type in:

- Where it connects. An administrator could register http://127.0.0.1:5432/ or the
  cloud metadata address and read the answer in the admin. So the host is resolved
  here, every address it resolves to is checked, and the socket is opened to the
  address that was checked (a second lookup by the HTTP library could answer
  differently: DNS rebinding). The installation may allow private addresses
  (LEADLINE_WEBHOOKS_ALLOW_PRIVATE) for a receiver on its own network.
- How long it takes. A socket timeout bounds each read, not the request: an
  endpoint that answers one byte every few seconds would hold the worker (which
  also sends every company's texts) for hours. A watchdog shuts the socket down
  when the whole attempt's deadline passes, whatever phase it is in.

HTTP(S) proxies from the environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY) are used as
before, with the checked address in the request line or the CONNECT, so the proxy
does not look the name up again.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
import urllib.request
from dataclasses import dataclass
from urllib.parse import SplitResult, unquote, urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class SendError(Exception):
    """The attempt failed before a complete answer; the message is kept for the admin."""


class Refused(SendError):
    """The URL leads to an address Leadline does not send to."""


class TimedOut(SendError):
    """The whole attempt did not finish before its deadline."""


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


# ------------------------------------------------------------------ addresses


def _embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    # IPv6 forms that carry an IPv4 address and reach it: judge that address too.
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    found: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address in _NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.append(address.teredo[1])
    return found


def _why_not_public(address: IPAddress) -> str | None:
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address (this includes cloud metadata services)"
    if address.is_multicast:
        return "a multicast address"
    if address.is_reserved:
        return "a reserved address"
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "a private address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "a reserved address"
    return None


def refusal(address: str) -> str | None:
    """Why Leadline does not send to this IP address, or None when it is public."""
    try:
        parsed: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    embedded = _embedded_ipv4(parsed)
    if isinstance(parsed, ipaddress.IPv6Address) and (
        parsed.ipv4_mapped is not None or parsed in _NAT64
    ):
        # The IPv6 wrapper itself counts as reserved; only what it carries matters.
        return next((r for r in map(_why_not_public, embedded) if r), None)
    for candidate in (parsed, *embedded):
        reason = _why_not_public(candidate)
        if reason:
            return reason
    return None


def resolve(host: str, port: int) -> list[str]:
    """The IP addresses of a host name, in the order the system's resolver gives them."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def _resolve_within(host: str, port: int, seconds: float) -> list[str]:
    literal = _literal(host)
    if literal is not None:
        return [literal]
    # getaddrinfo cannot be interrupted; wait for it in a thread for at most `seconds`.
    outcome: list[list[str] | BaseException] = []

    def run() -> None:
        try:
            outcome.append(resolve(host, port))
        except BaseException as exc:  # handed to the waiting thread, which reports it
            outcome.append(exc)

    worker = threading.Thread(target=run, name="webhook-resolve", daemon=True)
    worker.start()
    worker.join(max(seconds, 0.0))
    if not outcome:
        raise TimedOut(f"The name {host} did not resolve in time")
    result = outcome[0]
    if isinstance(result, socket.gaierror):
        raise SendError(f"Could not resolve {host}: {result.strerror or result}")
    if isinstance(result, BaseException):
        raise SendError(f"Could not resolve {host}: {result}")
    if not result:
        raise SendError(f"Could not resolve {host}: no address")
    return result


def _check(host: str, addresses: list[str]) -> None:
    for address in addresses:
        reason = refusal(address)
        if reason:
            shown = host if _literal(host) is not None else f"{host} ({address})"
            raise Refused(
                f"{shown} is {reason}. Webhooks are sent only to public addresses on this "
                "installation."
            )


def _split(url: str) -> tuple[SplitResult, str, int]:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise SendError("Not sent: the URL is not http(s).")
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise SendError("Not sent: the URL has a bad port.") from exc
    return parts, parts.hostname, port


def check_url(url: str, *, allow_private: bool, resolve_seconds: float = 5.0) -> None:
    """Raise Refused when the URL's host is or resolves to a non-public address.

    A name that does not resolve (yet) passes: the check at send time decides.
    """
    if allow_private:
        return
    _, host, port = _split(url)
    try:
        addresses = _resolve_within(host, port, resolve_seconds)
    except SendError:
        return
    _check(host, addresses)


# ------------------------------------------------------------------ sending


class _Watchdog:
    """Shuts a socket down at a moment, so that whatever blocks on it returns at once."""

    def __init__(self, sock: socket.socket, seconds: float) -> None:
        # A duplicate of the descriptor: TLS wrapping replaces the socket object, not
        # the connection, and shutdown() acts on the connection.
        self._handle = sock.dup()
        self.fired = threading.Event()
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired.set()
        # Not connected yet: then the connect timeout (the time left) ends that phase.
        with contextlib.suppress(OSError):
            self._handle.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        self._timer.cancel()
        self._handle.close()


def _proxy_for(scheme: str, host: str) -> SplitResult | None:
    proxies = urllib.request.getproxies()
    raw = proxies.get(scheme)
    if not raw or urllib.request.proxy_bypass(host):
        return None
    proxy = urlsplit(raw if "://" in raw else f"http://{raw}")
    return proxy if proxy.hostname else None


def _basic(username: str | None, password: str | None) -> str:
    pair = f"{unquote(username or '')}:{unquote(password or '')}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


def _netloc(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def _open(address: str, port: int, timeout: float) -> socket.socket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(max(timeout, 0.001))
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


def _tunnel(sock: socket.socket, target: str, proxy: SplitResult) -> None:
    lines = [f"CONNECT {target} HTTP/1.1", f"Host: {target}"]
    if proxy.username is not None:
        lines.append(f"Proxy-Authorization: {_basic(proxy.username, proxy.password)}")
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk or len(head) > 65536:
            raise SendError("Could not connect: the proxy closed the tunnel")
        head += chunk
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    fields = status_line.split(" ", 2)
    if len(fields) < 2 or fields[1] != "200":
        raise SendError(f"Could not connect: the proxy answered {status_line[:100]}")


def tls_context() -> ssl.SSLContext:
    """The system's certificate store, with hostname checks (tests trust their own CA)."""
    return ssl.create_default_context()


class _Connected(http.client.HTTPConnection):
    """An HTTPConnection over a socket that is already open (and checked)."""

    def __init__(self, sock: socket.socket, host: str, port: int) -> None:
        super().__init__(host, port)
        self.sock = sock

    def connect(self) -> None:
        # Never reconnect by name: the socket given is the only one allowed.
        raise SendError("Could not connect: the connection was closed")


def _connect(
    *, scheme: str, host: str, address: str, port: int, end: float
) -> tuple[socket.socket, SplitResult | None]:
    proxy = _proxy_for(scheme, host)
    remaining = end - time.monotonic()
    if proxy is None:
        return _open(address, port, remaining), None
    # The proxy is the operator's; its own address is not checked.
    sock = socket.create_connection(
        (proxy.hostname or "", proxy.port or 8080), timeout=max(remaining, 0.001)
    )
    return sock, proxy


def _exchange(
    *,
    sock: socket.socket,
    proxy: SplitResult | None,
    parts: SplitResult,
    host: str,
    port: int,
    address: str,
    body: bytes,
    headers: dict[str, str],
    keep_bytes: int,
) -> Answer:
    scheme = parts.scheme.lower()
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    headers = {**headers, "Host": parts.netloc.rpartition("@")[2]}
    if parts.username is not None:
        headers["Authorization"] = _basic(parts.username, parts.password)
    if proxy is not None and scheme == "https":
        _tunnel(sock, _netloc(address, port), proxy)
    elif proxy is not None:
        # The checked address in the request line: the proxy does not look the name up.
        target = f"http://{_netloc(address, port)}{target}"
        if proxy.username is not None:
            headers["Proxy-Authorization"] = _basic(proxy.username, proxy.password)
    if scheme == "https":
        # The certificate is checked against the name in the URL, not the address.
        sock = tls_context().wrap_socket(sock, server_hostname=host)
    connection = _Connected(sock, host, port)
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        kept = response.read(keep_bytes)
        return Answer(
            status=response.status,
            content_type=response.getheader("Content-Type") or "",
            body=kept,
        )
    finally:
        connection.close()
        sock.close()


def _failure(exc: BaseException, deadline_seconds: float, timed_out: bool) -> SendError:
    if timed_out or isinstance(exc, TimeoutError):
        return TimedOut(f"No complete answer within {deadline_seconds:g} seconds")
    if isinstance(exc, SendError):
        return exc
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return SendError(f"Could not connect: TLS: {exc}"[:500])
    if isinstance(exc, OSError):
        return SendError(f"Could not connect: {exc.strerror or exc}"[:500])
    return SendError(f"{type(exc).__name__}: {exc}"[:500])


def post(
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    deadline_seconds: float,
    allow_private: bool,
    keep_bytes: int,
) -> Answer:
    """POST `body` to `url` and read up to `keep_bytes` of the answer, all within the deadline.

    Raises Refused for a non-public address (unless allowed), TimedOut when the
    deadline passes, SendError for anything else that leaves no complete answer.
    """
    end = time.monotonic() + deadline_seconds
    parts, host, port = _split(url)
    addresses = _resolve_within(host, port, deadline_seconds)
    if not allow_private:
        _check(host, addresses)
    scheme = parts.scheme.lower()
    sock: socket.socket | None = None
    proxy: SplitResult | None = None
    address = addresses[0]
    try:
        # Every address was checked; connect to the first that accepts, in the resolver's order.
        for address in addresses:
            try:
                sock, proxy = _connect(
                    scheme=scheme, host=host, address=address, port=port, end=end
                )
                break
            except OSError:
                if address == addresses[-1] or time.monotonic() >= end:
                    raise
    except OSError as exc:
        raise _failure(exc, deadline_seconds, timed_out=time.monotonic() >= end) from exc
    if sock is None:  # no address at all; _resolve_within never returns an empty list
        raise SendError(f"Could not resolve {host}: no address")
    watchdog = _Watchdog(sock, end - time.monotonic())
    try:
        answer = _exchange(
            sock=sock,
            proxy=proxy,
            parts=parts,
            host=host,
            port=port,
            address=address,
            body=body,
            headers=headers,
            keep_bytes=keep_bytes,
        )
    except (OSError, http.client.HTTPException, SendError) as exc:
        raise _failure(exc, deadline_seconds, timed_out=watchdog.fired.is_set()) from exc
    finally:
        watchdog.stop()
    if watchdog.fired.is_set():
        # A body read until the connection closes ends quietly when the watchdog cuts it.
        raise TimedOut(f"No complete answer within {deadline_seconds:g} seconds")
    return answer
