"""netguard: every spelling of an internal destination is refused; allowed ones pass."""

from __future__ import annotations

import ipaddress
import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.integrations.netguard import (
    AllowList,
    HostNotFound,
    Target,
    UnsafeURL,
    check_url,
    parse_allow_list,
    parse_inet_aton,
)

from .support import FakeResolver, no_dns

EMPTY = AllowList()
LOOPBACK = "the address 127.0.0.1 is a loopback address"


# --- IP literals, in every spelling --------------------------------------------------------

REFUSED_LITERALS = [
    # loopback, spelled every way inet_aton accepts
    ("http://127.0.0.1/", LOOPBACK),
    ("http://2130706433/", LOOPBACK),  # decimal
    ("http://0177.0.0.1/", LOOPBACK),  # octal first byte
    ("http://0x7f.0.0.1/", LOOPBACK),  # hex first byte
    ("http://0x7f000001/", LOOPBACK),  # one hex number
    ("http://0X7F000001/", LOOPBACK),
    ("http://017700000001/", LOOPBACK),  # one octal number
    ("http://127.1/", LOOPBACK),  # short forms
    ("http://127.0.1/", LOOPBACK),
    ("http://0x7f.1/", LOOPBACK),
    ("http://0x7f.0.0x0.01/", LOOPBACK),  # mixed bases
    ("http://00000177.0x00000.0.1/", LOOPBACK),  # padded
    ("http://127.0.0.1./", LOOPBACK),  # trailing dot
    ("http://" + "0" * 70 + "177.0.0.1/", LOOPBACK),  # a 73-character "label", still inet_aton
    ("http://127.0.0.1:8080/x", LOOPBACK),
    ("HTTP://127.0.0.1/", LOOPBACK),
    ("http://１２７．０．０．１/", LOOPBACK),  # full-width digits and dots (IDNA maps them)
    ("http://127.0.0.2/", "the address 127.0.0.2 is a loopback address"),
    ("http://127.255.255.254/", "the address 127.255.255.254 is a loopback address"),
    ("http://0/", "the address 0.0.0.0 is an unspecified (this-network) address"),
    ("http://0.0.0.0/", "the address 0.0.0.0 is an unspecified (this-network) address"),
    ("http://999/", "the address 0.0.3.231 is an unspecified (this-network) address"),
    # private, shared, special-purpose IPv4
    ("http://10.0.0.5/", "the address 10.0.0.5 is a private address"),
    ("http://012.0.0.5/", "the address 10.0.0.5 is a private address"),
    ("http://172.16.0.1/", "the address 172.16.0.1 is a private address"),
    ("http://172.31.255.255/", "the address 172.31.255.255 is a private address"),
    ("http://192.168.1.1/", "the address 192.168.1.1 is a private address"),
    ("http://3232235777/", "the address 192.168.1.1 is a private address"),
    ("http://0xc0a80101/", "the address 192.168.1.1 is a private address"),
    ("http://100.64.0.1/", "the address 100.64.0.1 is a carrier-grade NAT address"),
    ("http://100.127.255.254/", "the address 100.127.255.254 is a carrier-grade NAT address"),
    ("http://169.254.1.1/", "the address 169.254.1.1 is a link-local address"),
    ("http://198.18.0.1/", "the address 198.18.0.1 is a benchmarking address"),
    ("http://198.19.255.1/", "the address 198.19.255.1 is a benchmarking address"),
    ("http://192.0.2.1/", "the address 192.0.2.1 is a documentation address"),
    ("http://198.51.100.7/", "the address 198.51.100.7 is a documentation address"),
    ("http://203.0.113.9/", "the address 203.0.113.9 is a documentation address"),
    ("http://192.0.0.8/", "the address 192.0.0.8 is a reserved (IETF protocol assignment) address"),
    ("http://224.0.0.1/", "the address 224.0.0.1 is a multicast address"),
    ("http://239.255.255.250/", "the address 239.255.255.250 is a multicast address"),
    ("http://240.0.0.1/", "the address 240.0.0.1 is a reserved address"),
    ("http://255.255.255.255/", "the address 255.255.255.255 is the broadcast address"),
    ("http://4294967295/", "the address 255.255.255.255 is the broadcast address"),
    # cloud metadata
    ("http://169.254.169.254/latest/meta-data/", "the address 169.254.169.254 is a cloud metadata address"),
    ("http://0xa9fea9fe/", "the address 169.254.169.254 is a cloud metadata address"),
    ("http://0251.0376.0251.0376/", "the address 169.254.169.254 is a cloud metadata address"),
    ("http://2852039166/", "the address 169.254.169.254 is a cloud metadata address"),
    ("http://169.254.170.2/v2/credentials", "the address 169.254.170.2 is a cloud metadata address"),
    ("http://100.100.100.200/latest/meta-data/", "the address 100.100.100.200 is a cloud metadata address"),
    ("http://[fd00:ec2::254]/", "the address fd00:ec2::254 is a cloud metadata address"),
    # IPv6
    ("http://[::1]/", "the address ::1 is a loopback address"),
    ("http://[0:0:0:0:0:0:0:1]:8000/", "the address ::1 is a loopback address"),
    ("http://[::]/", "the address :: is an unspecified address"),
    ("http://[fc00::1]/", "the address fc00::1 is a private (unique local) address"),
    ("http://[FD12:3456::1]/", "the address fd12:3456::1 is a private (unique local) address"),
    ("http://[fe80::1]/", "the address fe80::1 is a link-local address"),
    ("http://[fe80::1%25eth0]/", "the address fe80::1 is a link-local address"),  # zone id (RFC 6874)
    ("http://[fe80::1%eth0]/", "the address fe80::1 is a link-local address"),
    ("http://[::1%25lo]/", "the address ::1 is a loopback address"),
    ("http://[2606:4700::1%25eth0]/", "IPv6 zone identifiers are not allowed in URLs"),
    ("http://[fec0::1]/", "the address fec0::1 is a site-local address"),
    ("http://[ff02::1]/", "the address ff02::1 is a multicast address"),
    ("http://[2001:db8::1]/", "the address 2001:db8::1 is a documentation address"),
    # IPv4 carried inside IPv6
    (
        "http://[::ffff:127.0.0.1]/",
        "the address ::ffff:127.0.0.1 is an IPv4-mapped IPv6 address embedding a loopback address 127.0.0.1",
    ),
    (
        "http://[::ffff:7f00:1]/",
        "the address ::ffff:127.0.0.1 is an IPv4-mapped IPv6 address embedding a loopback address 127.0.0.1",
    ),
    (
        "http://[0:0:0:0:0:FFFF:7F00:0001]/",
        "the address ::ffff:127.0.0.1 is an IPv4-mapped IPv6 address embedding a loopback address 127.0.0.1",
    ),
    (
        "http://[::ffff:a9fe:a9fe]/",
        "the address ::ffff:169.254.169.254 is an IPv4-mapped IPv6 address embedding "
        "a cloud metadata address 169.254.169.254",
    ),
    ("http://[::ffff:8.8.8.8]/", "the address ::ffff:8.8.8.8 is an IPv4-mapped IPv6 address"),
    (
        "http://[::127.0.0.1]/",
        "the address ::7f00:1 is an IPv4-compatible IPv6 address embedding a loopback address 127.0.0.1",
    ),
    (
        "http://[::a00:5]/",
        "the address ::a00:5 is an IPv4-compatible IPv6 address embedding a private address 10.0.0.5",
    ),
    (
        "http://[2002:7f00:1::]/",
        "the address 2002:7f00:1:: is a 6to4 IPv6 address embedding a loopback address 127.0.0.1",
    ),
    (
        "http://[2002:a9fe:a9fe::1]/",
        "the address 2002:a9fe:a9fe::1 is a 6to4 IPv6 address embedding "
        "a cloud metadata address 169.254.169.254",
    ),
    (
        "http://[64:ff9b::a00:5]/",
        "the address 64:ff9b::a00:5 is a NAT64 IPv6 address embedding a private address 10.0.0.5",
    ),
    (
        "http://[64:ff9b::127.0.0.1]/",
        "the address 64:ff9b::7f00:1 is a NAT64 IPv6 address embedding a loopback address 127.0.0.1",
    ),
    ("http://[64:ff9b:1::5]/", "the address 64:ff9b:1::5 is a local-use NAT64 address"),
    (
        # Teredo: server 65.54.227.120, client 10.0.0.1 stored inverted (0xf5fffffe)
        "http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/",
        "the address 2001:0:4136:e378:8000:63bf:f5ff:fffe is a Teredo IPv6 address "
        "embedding a private address 10.0.0.1",
    ),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED_LITERALS)
def test_ip_literal_refused_in_every_spelling(url: str, reason: str) -> None:
    with pytest.raises(UnsafeURL) as caught:
        check_url(url, allow=EMPTY, resolve=no_dns)
    assert caught.value.reason == reason
    assert str(caught.value) == reason


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://localhost/", "localhost is the local machine"),
        ("http://localhost./", "localhost is the local machine"),
        ("http://LOCALHOST:8000/", "localhost is the local machine"),
        ("http://LocalHost./admin", "localhost is the local machine"),
        ("http://api.localhost/", "api.localhost is the local machine"),
        ("http://localhost.localdomain/", "localhost.localdomain is the local machine"),
        ("http://ip6-localhost/", "ip6-localhost is the local machine"),
        ("http://ⓛocalhost/", "localhost is the local machine"),  # IDNA maps the circled letter
        (
            "http://metadata.google.internal/computeMetadata/v1/",
            "metadata.google.internal is a cloud metadata endpoint",
        ),
        ("http://METADATA.GOOGLE.INTERNAL./", "metadata.google.internal is a cloud metadata endpoint"),
        ("http://metadata/", "metadata is a cloud metadata endpoint"),
        ("http://instance-data/latest/", "instance-data is a cloud metadata endpoint"),
        ("http://metadata.tencentyun.com/", "metadata.tencentyun.com is a cloud metadata endpoint"),
    ],
)
def test_local_and_metadata_names_refused_without_lookup(url: str, reason: str) -> None:
    with pytest.raises(UnsafeURL) as caught:
        check_url(url, allow=EMPTY, resolve=no_dns)
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        (["10.0.0.5"], "hooks.example.com resolves to a private address 10.0.0.5"),
        (["127.0.0.1"], "hooks.example.com resolves to a loopback address 127.0.0.1"),
        (["169.254.169.254"], "hooks.example.com resolves to a cloud metadata address 169.254.169.254"),
        (["::1"], "hooks.example.com resolves to a loopback address ::1"),
        (["fd00:ec2::254"], "hooks.example.com resolves to a cloud metadata address fd00:ec2::254"),
        (
            ["::ffff:192.168.0.1"],
            "hooks.example.com resolves to an IPv4-mapped IPv6 address embedding "
            "a private address 192.168.0.1 ::ffff:192.168.0.1",
        ),
        # several answers, one of them bad: the whole URL is refused
        (["93.184.216.34", "10.0.0.5"], "hooks.example.com resolves to a private address 10.0.0.5"),
        (
            ["93.184.216.34", "2606:2800:220:1::1", "fd00::7"],
            "hooks.example.com resolves to a private (unique local) address fd00::7",
        ),
        (
            ["100.64.1.1", "93.184.216.34"],
            "hooks.example.com resolves to a carrier-grade NAT address 100.64.1.1",
        ),
    ],
)
def test_public_looking_name_resolving_to_forbidden_address_refused(answers: list[str], reason: str) -> None:
    resolver = FakeResolver({"hooks.example.com": answers})
    with pytest.raises(UnsafeURL) as caught:
        check_url("https://hooks.example.com/in", allow=EMPTY, resolve=resolver)
    assert caught.value.reason == reason
    assert resolver.calls == [("hooks.example.com", 443)]


def test_name_resolving_to_public_addresses_returns_them_all_in_order() -> None:
    resolver = FakeResolver({"hooks.example.com": ["93.184.216.34", "2606:2800:220:1::1", "93.184.216.34"]})
    target = check_url("HTTPS://Hooks.Example.COM./in/bound?x=1&y=%20#frag", allow=EMPTY, resolve=resolver)
    assert target == Target(
        scheme="https",
        host="hooks.example.com",
        port=443,
        path="/in/bound?x=1&y=%20",
        addresses=(ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("2606:2800:220:1::1")),
    )
    assert target.host_header == "hooks.example.com"
    assert target.url == "https://hooks.example.com/in/bound?x=1&y=%20"
    assert resolver.calls == [("hooks.example.com", 443)]


def test_international_host_name_is_resolved_and_sent_in_punycode() -> None:
    resolver = FakeResolver({"xn--fiq228c.example": ["93.184.216.34"]})
    target = check_url("http://中文.example:8080/回调?名=值", allow=EMPTY, resolve=resolver)
    assert target.host == "xn--fiq228c.example"
    assert target.host_header == "xn--fiq228c.example:8080"
    assert target.path == "/%E5%9B%9E%E8%B0%83?%E5%90%8D=%E5%80%BC"
    assert resolver.calls == [("xn--fiq228c.example", 8080)]


@pytest.mark.parametrize(
    ("url", "address", "host_header"),
    [
        ("http://93.184.216.34/", "93.184.216.34", "93.184.216.34"),
        ("http://0x5db8d822/", "93.184.216.34", "93.184.216.34"),  # odd spelling, public address
        ("http://93.184.216.34:8443/", "93.184.216.34", "93.184.216.34:8443"),
        (
            "https://[2606:2800:220:1:248:1893:25c8:1946]/",
            "2606:2800:220:1:248:1893:25c8:1946",
            "[2606:2800:220:1:248:1893:25c8:1946]",
        ),
        ("http://[64:ff9b::5db8:d822]:81/", "64:ff9b::5db8:d822", "[64:ff9b::5db8:d822]:81"),  # NAT64, public
    ],
)
def test_public_ip_literal_accepted_without_lookup(url: str, address: str, host_header: str) -> None:
    target = check_url(url, allow=EMPTY, resolve=no_dns)
    assert target.addresses == (ipaddress.ip_address(address),)
    assert target.host == address
    assert target.host_header == host_header
    assert target.path == "/"


# --- scheme, user info, port, malformed ------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/", "scheme ftp is not allowed (use http or https)"),
        ("file:///etc/passwd", "scheme file is not allowed (use http or https)"),
        ("gopher://example.com:70/", "scheme gopher is not allowed (use http or https)"),
        ("javascript:alert(1)", "scheme javascript is not allowed (use http or https)"),
        ("dict://example.com:11211/stat", "scheme dict is not allowed (use http or https)"),
        ("//example.com/x", "the URL must start with http:// or https://"),
        ("example.com/x", "the URL must start with http:// or https://"),
        ("", "the URL is empty"),
        ("http:///path", "the URL has no host"),
        ("http://:80/", "the URL has no host"),
        ("http://user:pass@example.com/", "URLs with a user name or password are not allowed"),
        ("http://user@example.com/", "URLs with a user name or password are not allowed"),
        ("http://@example.com/", "URLs with a user name or password are not allowed"),
        ("http://example.com@127.0.0.1/", "URLs with a user name or password are not allowed"),
        ("http://example.com:0/", "port '0' is not allowed (use a number from 1 to 65535)"),
        ("http://example.com:65536/", "port '65536' is not allowed (use a number from 1 to 65535)"),
        ("http://example.com:99999999/", "port '99999999' is not allowed (use a number from 1 to 65535)"),
        ("http://example.com:8o/", "port '8o' is not allowed (use a number from 1 to 65535)"),
        ("http://example.com:+80/", "port '+80' is not allowed (use a number from 1 to 65535)"),
        ("http://example.com:٨٠/", "port '٨٠' is not allowed (use a number from 1 to 65535)"),
        ("http://example.com/a b", "the URL contains spaces, control characters or backslashes"),
        ("http://exa\tmple.com/", "the URL contains spaces, control characters or backslashes"),
        ("http://example.com\\@127.0.0.1/", "the URL contains spaces, control characters or backslashes"),
        (
            "http://example.com/\r\nX-Injected: 1",
            "the URL contains spaces, control characters or backslashes",
        ),
        ("http://%31%32%37.0.0.1/", "percent-encoded host names are not allowed"),
        ("http://1.2.3.4.5/", "'1.2.3.4.5' is neither a valid IP address nor a host name"),
        ("http://4294967296/", "'4294967296' is neither a valid IP address nor a host name"),
        ("http://1.2.3.256/", "'1.2.3.256' is neither a valid IP address nor a host name"),
        ("http://example.0x10/", "'example.0x10' is neither a valid IP address nor a host name"),
        ("http://[::1/", "the URL has a malformed IPv6 address"),
        ("http:/example.com/", "the URL must start with http://"),
        ("https:example.com", "the URL must start with https://"),
        ("http://example.com#@127.0.0.1/", None),  # the fragment is not the authority: allowed
        ("http://[::1]x/", "the URL has a malformed host"),
        ("http://[127.0.0.1]/", "the URL has a malformed IPv6 address"),
        ("http://::1/", "IPv6 addresses must be written in brackets, e.g. http://[2001:db8::1]/"),
        ("http://exa_mple..com/", "'exa_mple..com' is not a valid host name"),
        ("http://-bad.example/", "'-bad.example' is not a valid host name"),
        ("http://" + "a" * 64 + ".example/", f"'{'a' * 64}.example' is not a valid host name"),
        ("http://example.com/" + "x" * 5000, "the URL is longer than 4096 characters"),
    ],
)
def test_malformed_or_forbidden_url_forms_refused(url: str, reason: str | None) -> None:
    resolver = FakeResolver({"example.com": ["93.184.216.34"]})
    if reason is None:
        target = check_url(url, allow=EMPTY, resolve=resolver)
        assert (target.host, target.path) == ("example.com", "/")
        return
    with pytest.raises(UnsafeURL) as caught:
        check_url(url, allow=EMPTY, resolve=resolver)
    assert caught.value.reason == reason
    assert resolver.calls == []


def test_unresolvable_name_raises_host_not_found() -> None:
    with pytest.raises(HostNotFound) as caught:
        check_url("https://nowhere.example/", allow=EMPTY, resolve=FakeResolver())
    assert caught.value.reason == "could not resolve nowhere.example: Name or service not known"
    assert isinstance(caught.value, UnsafeURL)


def test_empty_resolver_answer_raises_host_not_found() -> None:
    with pytest.raises(HostNotFound, match=r"^could not resolve empty\.example: no addresses found$"):
        check_url("https://empty.example/", allow=EMPTY, resolve=FakeResolver({"empty.example": []}))


def test_default_port_and_path() -> None:
    resolver = FakeResolver({"example.com": ["93.184.216.34"]})
    assert check_url("http://example.com", allow=EMPTY, resolve=resolver).path == "/"
    assert check_url("http://example.com:", allow=EMPTY, resolve=resolver).port == 80
    assert check_url("https://example.com:443/", allow=EMPTY, resolve=resolver).host_header == "example.com"
    assert check_url("https://example.com:080/", allow=EMPTY, resolve=resolver).port == 80


# --- allow list ------------------------------------------------------------------------------


def test_parse_allow_list_reads_hosts_ips_and_networks() -> None:
    allow = parse_allow_list(
        " hooks.corp.example , 10.20.0.0/16,192.168.1.7,, fd12:3456::/48 ,[::1], Hooks.Corp.Example. "
    )
    assert allow.hosts == frozenset({"hooks.corp.example"})
    assert allow.networks == (
        ipaddress.ip_network("10.20.0.0/16"),
        ipaddress.ip_network("192.168.1.7/32"),
        ipaddress.ip_network("fd12:3456::/48"),
        ipaddress.ip_network("::1/128"),
    )
    assert bool(allow) is True


@pytest.mark.parametrize("value", ["", "  ", " , ,"])
def test_empty_allow_list(value: str) -> None:
    allow = parse_allow_list(value)
    assert allow == AllowList()
    assert bool(allow) is False


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("10.0.0.1/8", "allow-list entry '10.0.0.1/8' is not a valid network: 10.0.0.1/8 has host bits set"),
        ("10.0.0.0/33", "allow-list entry '10.0.0.0/33' is not a valid network"),
        ("ok.example, *.corp.example", "allow-list entry '*.corp.example': wildcards are not supported"),
        (
            "hooks.corp.example:8080",
            "allow-list entry 'hooks.corp.example:8080': give a host name without a port",
        ),
        ("bad host!", "allow-list entry 'bad host!' is not a host name, IP address or CIDR"),
        ("127.1", "allow-list entry '127.1': write IP addresses in standard dotted form"),
        ("0x7f000001", "allow-list entry '0x7f000001': write IP addresses in standard dotted form"),
        (
            "metadata.google.internal",
            "allow-list entry 'metadata.google.internal' is a cloud metadata endpoint",
        ),
        ("fe80::1%eth0", "allow-list entry 'fe80::1%eth0': zone identifiers are not supported"),
    ],
)
def test_invalid_allow_list_entry_named_in_error(value: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_allow_list(value)
    assert str(caught.value).startswith(message)


def test_allowed_host_name_permits_its_private_addresses() -> None:
    resolver = FakeResolver({"erp.corp.example": ["10.1.2.3", "fd00::3"]})
    target = check_url(
        "http://erp.corp.example:8069/hook", allow=parse_allow_list("erp.corp.example"), resolve=resolver
    )
    assert target.addresses == (ipaddress.ip_address("10.1.2.3"), ipaddress.ip_address("fd00::3"))
    assert target.port == 8069


def test_allowed_host_is_exact_not_a_suffix() -> None:
    resolver = FakeResolver({"evil.erp.corp.example": ["10.1.2.3"], "erp.corp.example.evil": ["10.1.2.3"]})
    allow = parse_allow_list("erp.corp.example")
    for url in ("http://evil.erp.corp.example/", "http://erp.corp.example.evil/"):
        with pytest.raises(UnsafeURL, match=r"resolves to a private address 10\.1\.2\.3$"):
            check_url(url, allow=allow, resolve=resolver)


def test_allowed_network_permits_addresses_inside_only() -> None:
    allow = parse_allow_list("10.20.0.0/16")
    resolver = FakeResolver({"a.corp.example": ["10.20.3.4"], "b.corp.example": ["10.20.3.4", "10.21.0.1"]})
    assert check_url("http://a.corp.example/", allow=allow, resolve=resolver).addresses == (
        ipaddress.ip_address("10.20.3.4"),
    )
    assert check_url("http://10.20.0.1/", allow=allow, resolve=no_dns).host == "10.20.0.1"
    assert check_url("http://0x0a140001/", allow=allow, resolve=no_dns).host == "10.20.0.1"
    with pytest.raises(UnsafeURL) as caught:
        check_url("http://b.corp.example/", allow=allow, resolve=resolver)
    assert caught.value.reason == "b.corp.example resolves to a private address 10.21.0.1"


def test_allowed_loopback_network_also_covers_its_ipv4_mapped_form() -> None:
    allow = parse_allow_list("127.0.0.0/8")
    assert check_url("http://[::ffff:127.0.0.1]:9000/", allow=allow, resolve=no_dns).port == 9000


def test_allowing_localhost_by_name() -> None:
    resolver = FakeResolver({"localhost": ["127.0.0.1", "::1"]})
    target = check_url("http://localhost:8000/", allow=parse_allow_list("localhost"), resolve=resolver)
    assert target.addresses == (ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1"))


@pytest.mark.parametrize(
    ("allow", "url", "reason"),
    [
        (
            "169.254.0.0/16",
            "http://169.254.169.254/",
            "the address 169.254.169.254 is a cloud metadata address",
        ),
        ("0.0.0.0/0", "http://169.254.169.254/", "the address 169.254.169.254 is a cloud metadata address"),
        (
            "100.64.0.0/10",
            "http://100.100.100.200/",
            "the address 100.100.100.200 is a cloud metadata address",
        ),
        ("fd00::/8", "http://[fd00:ec2::254]/", "the address fd00:ec2::254 is a cloud metadata address"),
        ("0.0.0.0/0", "http://224.0.0.1/", "the address 224.0.0.1 is a multicast address"),
        ("0.0.0.0/0", "http://0.0.0.0/", "the address 0.0.0.0 is an unspecified (this-network) address"),
        ("0.0.0.0/0", "http://255.255.255.255/", "the address 255.255.255.255 is the broadcast address"),
        ("::/0", "http://[::]/", "the address :: is an unspecified address"),
        ("::/0", "http://[ff02::1]/", "the address ff02::1 is a multicast address"),
    ],
)
def test_allow_list_never_opens_metadata_unspecified_or_multicast(allow: str, url: str, reason: str) -> None:
    with pytest.raises(UnsafeURL) as caught:
        check_url(url, allow=parse_allow_list(allow), resolve=no_dns)
    assert caught.value.reason == reason


def test_allowed_host_name_still_refuses_metadata_address() -> None:
    resolver = FakeResolver({"erp.corp.example": ["10.1.2.3", "169.254.169.254"]})
    with pytest.raises(UnsafeURL) as caught:
        check_url("http://erp.corp.example/", allow=parse_allow_list("erp.corp.example"), resolve=resolver)
    assert caught.value.reason == "erp.corp.example resolves to a cloud metadata address 169.254.169.254"


# --- the inet_aton parser -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("1.2.3", "1.2.0.3"),
        ("1.0x10000", "1.1.0.0"),
        ("1.0x1000000", None),
        ("1.2.65535", "1.2.255.255"),
        ("0", "0.0.0.0"),  # noqa: S104 - an address under test, not a bind
        ("0x", None),
        ("08", None),
        ("1..2", None),
        ("1.2.3.4.5", None),
        ("", None),
        ("0xffffffff", "255.255.255.255"),
        ("0x100000000", None),
    ],
)
def test_parse_inet_aton_examples(text: str, expected: str | None) -> None:
    result = parse_inet_aton(text)
    assert (str(result) if result else None) == expected


def _libc_inet_aton(text: str) -> str | None:
    try:
        return socket.inet_ntoa(socket.inet_aton(text))
    except OSError:
        return None


_PART = st.one_of(
    st.text(alphabet="0123456789", min_size=0, max_size=11),
    st.builds(
        lambda p, d: p + d,
        st.sampled_from(["0x", "0X", "0"]),
        st.text(alphabet="0123456789abcdefABCDEFgx", max_size=9),
    ),
)


@settings(max_examples=400)
@given(
    st.one_of(
        st.text(alphabet="0123456789abcdefxX.", min_size=1, max_size=24),
        st.lists(_PART, min_size=1, max_size=5).map(".".join),
    )
)
def test_parse_inet_aton_agrees_with_the_c_library(text: str) -> None:
    ours = parse_inet_aton(text)
    assert (str(ours) if ours else None) == _libc_inet_aton(text)


@st.composite
def _spellings(draw: st.DrawFn, address: int) -> str:
    """A random inet_aton spelling of the 32-bit ``address``: 1-4 parts, each in a random base."""
    count = draw(st.integers(1, 4))
    octets = address.to_bytes(4, "big")
    values = [*octets[: count - 1], int.from_bytes(octets[count - 1 :], "big")]
    parts = []
    for value in values:
        base = draw(st.sampled_from(["dec", "oct", "hex", "HEX"]))
        zeros = draw(st.integers(0, 3))
        if base == "dec":
            parts.append(str(value))
        elif base == "oct":
            parts.append("0" + "0" * zeros + format(value, "o"))
        else:
            parts.append(
                ("0x" if base == "hex" else "0X") + "0" * zeros + format(value, "x" if base == "hex" else "X")
            )
    return ".".join(parts)


FORBIDDEN_V4 = [
    "127.0.0.0/8",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "169.254.0.0/16",
    "100.64.0.0/10",
]


@given(
    data=st.data(),
    network=st.sampled_from(FORBIDDEN_V4),
    trailing_dot=st.booleans(),
)
def test_any_spelling_of_a_forbidden_ipv4_is_refused(
    data: st.DataObject, network: str, trailing_dot: bool
) -> None:
    net = ipaddress.ip_network(network)
    address = data.draw(st.integers(int(net.network_address), int(net.broadcast_address)))
    spelling = data.draw(_spellings(address))
    with pytest.raises(UnsafeURL) as caught:
        check_url(f"http://{spelling}{'.' if trailing_dot else ''}/", allow=EMPTY, resolve=no_dns)
    assert caught.value.reason.startswith(f"the address {ipaddress.IPv4Address(address)} is ")
