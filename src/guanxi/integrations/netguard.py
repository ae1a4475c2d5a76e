"""Outbound URL guard: refuse webhook destinations that point inside the network.

Guanxi sends webhooks to URLs that administrators type in. Without a guard, such a URL is a
server-side request forgery (SSRF) hole: ``http://169.254.169.254/`` reads cloud credentials,
``http://127.0.0.1:6379/`` talks to Redis, ``http://intranet/`` reaches the office network.

:func:`check_url` parses a URL strictly, resolves its host once, checks *every* address the
resolver returned and hands back a :class:`Target` holding the checked addresses. The HTTP
client (:mod:`guanxi.integrations.http`) connects to those addresses only and never resolves the
name again, so there is no DNS-rebinding window between the check and the connection.

Internal destinations that really are wanted are opened explicitly with an allow list
(``GUANXI_WEBHOOK_ALLOW``, parsed by :func:`parse_allow_list`): exact host names and/or
networks in CIDR form. Cloud metadata endpoints, unspecified, multicast and broadcast addresses
are refused even when an allow-list entry covers them.

Pure Python, standard library only, no Django import.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import quote

__all__ = [
    "METADATA_HOSTNAMES",
    "AllowList",
    "HostNotFound",
    "IPAddress",
    "Resolver",
    "Target",
    "UnsafeURL",
    "check_url",
    "parse_allow_list",
    "parse_inet_aton",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Anything with the call signature of :func:`socket.getaddrinfo`.
Resolver = Callable[..., Iterable[tuple[Any, ...]]]

ALLOWED_SCHEMES: Final = {"http": 80, "https": 443}
MAX_URL_LENGTH: Final = 4096


class UnsafeURL(ValueError):
    """The URL may not be used as an outbound destination.

    ``reason`` is a short sentence that can be shown to the administrator as it is.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class HostNotFound(UnsafeURL):
    """The host name could not be resolved (may be temporary, unlike the other refusals)."""


# --------------------------------------------------------------------------------------------
# Address classification
# --------------------------------------------------------------------------------------------

#: Cloud metadata services (instance credentials live there), with who serves them.
#: Never reachable, allow list or not.
METADATA_ADDRESSES: Final[dict[IPAddress, str]] = {
    ipaddress.ip_address("169.254.169.254"): "AWS, GCP, Azure, OpenStack, Oracle, Huawei",
    ipaddress.ip_address("169.254.170.2"): "AWS ECS task metadata",
    ipaddress.ip_address("169.254.0.23"): "Tencent Cloud",
    ipaddress.ip_address("100.100.100.200"): "Alibaba Cloud",
    ipaddress.ip_address("fd00:ec2::254"): "AWS IPv6",
}

#: Host names of cloud metadata services. Refused by name before any lookup; cannot be allowed.
METADATA_HOSTNAMES: Final = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "metadata.azure.internal",
        "metadata.tencentyun.com",
        "metadata.packet.net",
        "metadata.platformequinix.com",
        "instance-data",
        "instance-data.ec2.internal",
    }
)

#: Names that mean "this machine" whatever DNS says (RFC 6761 and common /etc/hosts entries).
_LOCAL_HOSTNAMES: Final = frozenset(
    {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "localhost6"}
)


@dataclass(frozen=True, slots=True)
class _Rule:
    network: IPNetwork
    description: str
    hard: bool = False  # True: refused even when the allow list covers it


def _rules(*rows: tuple[str, str] | tuple[str, str, bool]) -> tuple[_Rule, ...]:
    out = []
    for row in rows:
        hard = row[2] if len(row) == 3 else False
        out.append(_Rule(ipaddress.ip_network(row[0]), row[1], hard))
    return tuple(out)


# Order matters: the first matching rule gives the reason.
_IPV4_RULES: Final = _rules(
    ("0.0.0.0/8", "an unspecified (this-network) address", True),
    ("10.0.0.0/8", "a private address"),
    ("100.64.0.0/10", "a carrier-grade NAT address"),
    ("127.0.0.0/8", "a loopback address"),
    ("169.254.0.0/16", "a link-local address"),
    ("172.16.0.0/12", "a private address"),
    ("192.0.0.0/24", "a reserved (IETF protocol assignment) address"),
    ("192.0.2.0/24", "a documentation address"),
    ("192.88.99.0/24", "a reserved (6to4 relay anycast) address"),
    ("192.168.0.0/16", "a private address"),
    ("198.18.0.0/15", "a benchmarking address"),
    ("198.51.100.0/24", "a documentation address"),
    ("203.0.113.0/24", "a documentation address"),
    ("224.0.0.0/4", "a multicast address", True),
    ("255.255.255.255/32", "the broadcast address", True),
    ("240.0.0.0/4", "a reserved address"),
)

_IPV6_RULES: Final = _rules(
    ("::/128", "an unspecified address", True),
    ("::1/128", "a loopback address"),
    ("64:ff9b:1::/48", "a local-use NAT64 address"),
    ("100::/64", "a discard-only address"),
    ("2001:2::/48", "a benchmarking address"),
    ("2001:db8::/32", "a documentation address"),
    ("3fff::/20", "a documentation address"),
    ("fc00::/7", "a private (unique local) address"),
    ("fe80::/10", "a link-local address"),
    ("fec0::/10", "a site-local address"),
    ("ff00::/8", "a multicast address", True),
)

_MAPPED = ipaddress.ip_network("::ffff:0:0/96")
_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SIXTOFOUR = ipaddress.ip_network("2002::/16")
_TEREDO = ipaddress.ip_network("2001::/32")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[tuple[str, ipaddress.IPv4Address]]:
    """IPv4 addresses carried inside an IPv6 transition form, with the form's name."""
    value = int(ip)
    low32 = ipaddress.IPv4Address(value & 0xFFFFFFFF)
    if ip in _MAPPED:
        return [("IPv4-mapped", low32)]  # ::ffff:127.0.0.1
    if ip in _COMPATIBLE:
        return [("IPv4-compatible", low32)]  # ::127.0.0.1 (deprecated form)
    if ip in _NAT64:
        return [("NAT64", low32)]
    if ip in _SIXTOFOUR:
        return [("6to4", ipaddress.IPv4Address((value >> 80) & 0xFFFFFFFF))]
    if ip in _TEREDO:
        server = ipaddress.IPv4Address((value >> 64) & 0xFFFFFFFF)
        client = ipaddress.IPv4Address(~value & 0xFFFFFFFF)
        return [("Teredo", server), ("Teredo", client)]
    return []


@dataclass(frozen=True, slots=True)
class _Verdict:
    description: str  # "a private address"
    hard: bool


def _classify(ip: IPAddress) -> _Verdict | None:
    """Why ``ip`` must not be contacted, or None when it is a public address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
        base = ipaddress.IPv6Address(int(ip))
        inner = _classify(base)
        return inner or _Verdict("an address with an IPv6 zone identifier", False)
    if ip in METADATA_ADDRESSES:
        return _Verdict("a cloud metadata address", True)
    rules = _IPV4_RULES if ip.version == 4 else _IPV6_RULES
    for rule in rules:
        if ip in rule.network:
            return _Verdict(rule.description, rule.hard)
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        for form, v4 in embedded:
            inner = _classify(v4)
            if inner is not None:
                article = "an" if form.startswith("IPv4") else "a"
                return _Verdict(
                    f"{article} {form} IPv6 address embedding {inner.description} {v4}", inner.hard
                )
        if embedded and embedded[0][0] in {"IPv4-mapped", "IPv4-compatible"}:
            return _Verdict(f"an {embedded[0][0]} IPv6 address", False)
    if not ip.is_global:
        return _Verdict("a non-public address", False)
    return None


# --------------------------------------------------------------------------------------------
# IPv4 literal spellings (the inet_aton rules)
# --------------------------------------------------------------------------------------------

_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_OCT_DIGITS = frozenset("01234567")
_DEC_DIGITS = frozenset("0123456789")


def _inet_aton_part(part: str) -> int | None:
    if part[:2] in {"0x", "0X"}:
        digits, base, allowed = part[2:], 16, _HEX_DIGITS
    elif part.startswith("0"):
        digits, base, allowed = part, 8, _OCT_DIGITS
    else:
        digits, base, allowed = part, 10, _DEC_DIGITS
    if not digits or not set(digits) <= allowed:
        return None
    return int(digits, base)


def parse_inet_aton(text: str) -> ipaddress.IPv4Address | None:
    """Parse ``text`` the way the C library's ``inet_aton`` does, or return None.

    Accepts one to four dot-separated parts, each decimal, octal (leading ``0``) or hexadecimal
    (``0x``); the last part fills all remaining bytes. So ``2130706433``, ``0x7f000001``,
    ``0177.0.0.1``, ``127.1`` and ``0x7f.0.1`` all mean 127.0.0.1, and ``0`` means 0.0.0.0.
    Unlike inet_aton, trailing text after whitespace is not accepted.
    """
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values = []
    for part in parts:
        value = _inet_aton_part(part)
        if value is None:
            return None
        values.append(value)
    *leading, last = values
    if any(v > 0xFF for v in leading):
        return None
    last_bits = 8 * (4 - len(leading))
    if last >= 1 << last_bits:
        return None
    number = last
    for index, value in enumerate(leading):
        number |= value << (24 - 8 * index)
    return ipaddress.IPv4Address(number)


def _looks_numeric(label: str) -> bool:
    """True for a label that a URL parser could take as an IPv4 number (WHATWG rule)."""
    if label[:2] in {"0x", "0X"}:
        return set(label[2:]) <= _HEX_DIGITS
    return bool(label) and set(label) <= _DEC_DIGITS


# --------------------------------------------------------------------------------------------
# Host names
# --------------------------------------------------------------------------------------------

_LABEL_RE = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")


def _normalise_hostname(raw: str) -> str:
    """Lower-case, IDNA-encode and validate a host name; drop one trailing dot.

    Raises ValueError with a reason.
    """
    host = raw
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise ValueError(f"{raw!r} is not a valid international host name") from exc
    host = host.lower()
    if host.endswith("."):
        host = host[:-1]
    if not host or len(host) > 253:
        raise ValueError(f"{raw!r} is not a valid host name")
    for label in host.split("."):
        if not _LABEL_RE.match(label):
            raise ValueError(f"{raw!r} is not a valid host name")
    return host


@dataclass(frozen=True, slots=True)
class _Host:
    name: str  # canonical text: host name (ASCII, lower case) or IP address
    ip: IPAddress | None  # set when the URL named an IP literal


def _parse_host(raw: str) -> _Host:
    """Turn the host part of a URL authority into a name or an IP address."""
    if raw.startswith("["):
        if not raw.endswith("]"):
            raise UnsafeURL("the URL has a malformed IPv6 address")
        inner = raw[1:-1]
        if "%" in inner:
            # RFC 6874 spells the zone "%25eth0"; either way a zone means a link-scoped address.
            address_text = inner.split("%", 1)[0]
            try:
                address = ipaddress.IPv6Address(address_text)
            except ValueError:
                raise UnsafeURL("the URL has a malformed IPv6 address") from None
            verdict = _classify(address)
            if verdict is not None:
                raise UnsafeURL(f"the address {address} is {verdict.description}")
            raise UnsafeURL("IPv6 zone identifiers are not allowed in URLs")
        try:
            address = ipaddress.IPv6Address(inner)
        except ValueError:
            raise UnsafeURL("the URL has a malformed IPv6 address") from None
        return _Host(str(address), address)
    if "%" in raw:
        raise UnsafeURL("percent-encoded host names are not allowed")
    try:
        name = _normalise_hostname(raw)
    except ValueError as exc:
        # A dotted IPv4 literal with a trailing dot ("127.0.0.1.") is still an IPv4 literal.
        stripped = raw[:-1] if raw.endswith(".") else raw
        ip = parse_inet_aton(stripped)
        if ip is not None:
            return _Host(str(ip), ip)
        raise UnsafeURL(str(exc)) from None
    ip = parse_inet_aton(name)
    if ip is not None:
        return _Host(str(ip), ip)
    if _looks_numeric(name.rsplit(".", 1)[-1]):
        raise UnsafeURL(f"{raw!r} is neither a valid IP address nor a host name")
    return _Host(name, None)


# --------------------------------------------------------------------------------------------
# Allow list
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AllowList:
    """Internal destinations an administrator opened on purpose.

    ``hosts`` match the URL's host name exactly (after lower-casing, IDNA and dropping a
    trailing dot); every address such a name resolves to is then permitted. ``networks``
    permit addresses inside them, whatever name led there.
    """

    hosts: frozenset[str] = field(default_factory=frozenset)
    networks: tuple[IPNetwork, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.hosts or self.networks)

    def __str__(self) -> str:
        return ",".join([*sorted(self.hosts), *(str(n) for n in self.networks)])

    def permits_host(self, host: str) -> bool:
        return host in self.hosts

    def permits_address(self, ip: IPAddress) -> bool:
        candidates: list[IPAddress] = [ip]
        if isinstance(ip, ipaddress.IPv6Address):
            if ip.scope_id:
                candidates = [ipaddress.IPv6Address(int(ip))]
            if ip.ipv4_mapped is not None:
                candidates.append(ip.ipv4_mapped)
        return any(c in net for c in candidates for net in self.networks if c.version == net.version)


def parse_allow_list(value: str) -> AllowList:
    """Parse ``GUANXI_WEBHOOK_ALLOW``: comma-separated host names, IP addresses and CIDRs.

    ``"hooks.corp.example, 10.20.0.0/16, 192.168.1.7, fd12:3456::/48"``. Whitespace around
    entries and empty entries are ignored. An invalid entry raises ValueError naming it.
    """
    hosts: set[str] = set()
    networks: list[IPNetwork] = []
    for raw_entry in value.split(","):
        entry = raw_entry.strip()
        if not entry:
            continue
        if "*" in entry:
            raise ValueError(f"allow-list entry {entry!r}: wildcards are not supported, list each host name")
        if "/" in entry:
            try:
                network = ipaddress.ip_network(entry, strict=True)
            except ValueError as exc:
                raise ValueError(f"allow-list entry {entry!r} is not a valid network: {exc}") from None
            networks.append(network)
            continue
        text = entry[1:-1] if entry.startswith("[") and entry.endswith("]") else entry
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            pass
        else:
            if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
                raise ValueError(f"allow-list entry {entry!r}: zone identifiers are not supported")
            networks.append(ipaddress.ip_network(address))
            continue
        if ":" in entry:
            raise ValueError(f"allow-list entry {entry!r}: give a host name without a port, or an IP address")
        try:
            host = _normalise_hostname(entry)
        except ValueError:
            raise ValueError(f"allow-list entry {entry!r} is not a host name, IP address or CIDR") from None
        if _looks_numeric(host.rsplit(".", 1)[-1]):
            raise ValueError(
                f"allow-list entry {entry!r}: write IP addresses in standard dotted form (e.g. 10.0.0.5)"
            )
        if host in METADATA_HOSTNAMES:
            raise ValueError(f"allow-list entry {entry!r} is a cloud metadata endpoint and cannot be allowed")
        hosts.add(host)
    return AllowList(frozenset(hosts), tuple(networks))


# --------------------------------------------------------------------------------------------
# URL check
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """A checked destination: connect to ``addresses`` (in order), never to ``host`` again."""

    scheme: str  # "http" or "https"
    host: str  # ASCII host name or canonical IP text; for the Host header and TLS SNI
    port: int
    path: str  # path and query, percent-encoded, starting with "/"
    addresses: tuple[IPAddress, ...]

    @property
    def is_https(self) -> bool:
        return self.scheme == "https"

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.port == ALLOWED_SCHEMES[self.scheme]:
            return host
        return f"{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host_header}{self.path}"


# Characters left as they are in the path and query; everything else is percent-encoded.
_PATH_SAFE = "/:@!$&'()*+,;=-._~%?"
_FORBIDDEN_CHARS = re.compile(r"[\x00-\x20\x7f\\]")
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def _split_rest(rest: str) -> tuple[str, str, str]:
    """Split what follows ``scheme://`` into authority, path and query (fragment dropped)."""
    end = len(rest)
    for delimiter in "/?#":
        index = rest.find(delimiter)
        if 0 <= index < end:
            end = index
    netloc, tail = rest[:end], rest[end:]
    tail = tail.split("#", 1)[0]
    path, _, query = tail.partition("?")
    return netloc, path, query


def _split_authority(netloc: str) -> tuple[str, str | None]:
    """Split ``host[:port]`` (host possibly a bracketed IPv6 literal)."""
    if netloc.startswith("["):
        end = netloc.find("]")
        if end < 0:
            raise UnsafeURL("the URL has a malformed IPv6 address")
        host, rest = netloc[: end + 1], netloc[end + 1 :]
        if not rest:
            return host, None
        if not rest.startswith(":"):
            raise UnsafeURL("the URL has a malformed host")
        return host, rest[1:]
    if netloc.count(":") > 1:
        raise UnsafeURL("IPv6 addresses must be written in brackets, e.g. http://[2001:db8::1]/")
    host, sep, port = netloc.partition(":")
    return host, port if sep else None


def _parse_port(text: str | None, scheme: str) -> int:
    if text is None or text == "":
        return ALLOWED_SCHEMES[scheme]
    if not (text.isascii() and text.isdigit()) or len(text) > 5 or not 1 <= int(text) <= 65535:
        raise UnsafeURL(f"port {text!r} is not allowed (use a number from 1 to 65535)")
    return int(text)


def _address_refusal(host: _Host, ip: IPAddress, allow: AllowList) -> str | None:
    verdict = _classify(ip)
    if verdict is None:
        return None
    if not verdict.hard and (allow.permits_host(host.name) or allow.permits_address(ip)):
        return None
    if host.ip is not None:
        return f"the address {ip} is {verdict.description}"
    return f"{host.name} resolves to {verdict.description} {ip}"


def _resolve(host: str, port: int, resolve: Resolver) -> tuple[IPAddress, ...]:
    try:
        infos = list(resolve(host, port, type=socket.SOCK_STREAM))
    except (OSError, UnicodeError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise HostNotFound(f"could not resolve {host}: {detail}") from exc
    addresses: list[IPAddress] = []
    for info in infos:
        family, sockaddr = info[0], info[4]
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        try:
            address = ipaddress.ip_address(sockaddr[0])
        except (ValueError, TypeError, IndexError):
            raise UnsafeURL(f"the resolver returned an unexpected address for {host}") from None
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise HostNotFound(f"could not resolve {host}: no addresses found")
    return tuple(addresses)


def check_url(url: str, *, allow: AllowList, resolve: Resolver = socket.getaddrinfo) -> Target:
    """Check that ``url`` is a safe outbound destination and resolve it once.

    Raises :class:`UnsafeURL` (or its subclass :class:`HostNotFound`) with a reason that can
    be shown to the user. Every address the host resolves to must be acceptable; one bad
    address refuses the whole URL.
    """
    if not isinstance(url, str):
        raise UnsafeURL("the URL must be text")
    url = url.strip()
    if not url:
        raise UnsafeURL("the URL is empty")
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeURL(f"the URL is longer than {MAX_URL_LENGTH} characters")
    if _FORBIDDEN_CHARS.search(url):
        raise UnsafeURL("the URL contains spaces, control characters or backslashes")
    match = _SCHEME_RE.match(url)
    if match is None:
        raise UnsafeURL("the URL must start with http:// or https://")
    scheme = match.group(1).lower()
    if scheme not in ALLOWED_SCHEMES:
        raise UnsafeURL(f"scheme {scheme} is not allowed (use http or https)")
    rest = url[match.end() :]
    if not rest.startswith("//"):
        raise UnsafeURL(f"the URL must start with {scheme}://")
    # RFC 3986: the authority runs to the first "/", "?" or "#".
    netloc, path, query = _split_rest(rest[2:])
    if "@" in netloc:
        raise UnsafeURL("URLs with a user name or password are not allowed")
    host_text, port_text = _split_authority(netloc)
    if not host_text:
        raise UnsafeURL("the URL has no host")
    port = _parse_port(port_text, scheme)
    host = _parse_host(host_text)

    if host.ip is None:
        if host.name in METADATA_HOSTNAMES:
            raise UnsafeURL(f"{host.name} is a cloud metadata endpoint")
        local = host.name in _LOCAL_HOSTNAMES or host.name.endswith(".localhost")
        if local and not allow.permits_host(host.name):
            raise UnsafeURL(f"{host.name} is the local machine")
        addresses = _resolve(host.name, port, resolve)
    else:
        addresses = (host.ip,)

    for address in addresses:
        reason = _address_refusal(host, address, allow)
        if reason is not None:
            raise UnsafeURL(reason)

    path = quote(path or "/", safe=_PATH_SAFE)
    if query:
        path += "?" + quote(query, safe=_PATH_SAFE)
    return Target(scheme=scheme, host=host.name, port=port, path=path, addresses=addresses)
