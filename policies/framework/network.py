"""Network exposure: remote-administration ports, "anywhere" sources, port ranges of AWS and Azure rules.

The default administration ports are :data:`kasbah.facts.REMOTE_ADMIN_PORTS`
(SSH, RDP, WinRM); a policy that checks them takes ``adminPorts`` in its
configuration (:data:`ADMIN_PORTS_SCHEMA`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from kasbah.facts import REMOTE_ADMIN_PORTS
from policies.framework.unknowns import Undecided, need
from policies.framework.values import items, lower, number

ADMIN_PORTS_DEFAULT: Final[tuple[int, ...]] = tuple(REMOTE_ADMIN_PORTS)
"""SSH, RDP, WinRM (``kasbah.facts.REMOTE_ADMIN_PORTS``)."""

ADMIN_PORTS_SCHEMA: Final[dict[str, Any]] = {
    "adminPorts": {
        "type": "array",
        "items": {"type": "integer", "minimum": 0, "maximum": 65535},
        "default": list(ADMIN_PORTS_DEFAULT),
        "description": "Remote administration ports (SSH, RDP, WinRM by default).",
    }
}
"""The ``adminPorts`` configuration of the policies that check remote administration ports."""


def admin_ports(config: Mapping[str, Any]) -> tuple[int, ...]:
    """The policy's configured administration ports, else the default."""
    ports = config.get("adminPorts")
    if not ports:
        return ADMIN_PORTS_DEFAULT
    return tuple(int(p) for p in ports)


def open_cidr(value: Any, what: str) -> bool:
    """Whether a CIDR or address prefix means "anywhere": any /0 network."""
    need(value, what)
    text = str(value).strip()
    if text in ("*", "0.0.0.0/0", "::/0"):
        return True
    try:
        return ipaddress.ip_network(text, strict=False).prefixlen == 0
    except ValueError:
        return False


INTERNET_PREFIXES: Final[frozenset[str]] = frozenset(
    {"*", "internet", "any", "0.0.0.0/0", "::/0", "0.0.0.0", "::"}
)


def internet_prefix(value: Any, what: str) -> bool:
    """An NSG source meaning the Internet: ``*``, ``Internet``, ``Any``, ``0.0.0.0/0``, ``::/0``."""
    need(value, what)
    text = str(value).strip().lower()
    return text in INTERNET_PREFIXES or open_cidr(text, what)


@dataclass(frozen=True)
class PortRange:
    """An inclusive range of ports."""

    low: int
    high: int

    @property
    def all(self) -> bool:
        return self.low <= 1 and self.high >= 65535

    def hits(self, ports: Iterable[int]) -> list[int]:
        return [p for p in ports if self.low <= p <= self.high]

    def __str__(self) -> str:
        if self.all:
            return "all ports"
        return f"port {self.low}" if self.low == self.high else f"ports {self.low}-{self.high}"


ALL_PORTS: Final = PortRange(0, 65535)


def aws_exposure(protocol: Any, from_port: Any, to_port: Any, what: str) -> PortRange | None:
    """The ports an AWS rule opens: ``ALL_PORTS`` for protocol -1/all, ``None`` for ICMP and the like."""
    proto = lower(protocol, f"{what} protocol")
    if proto in ("-1", "all"):
        return ALL_PORTS
    if proto not in ("tcp", "udp", "6", "17"):
        return None
    low = number(from_port, f"{what} fromPort")
    high = number(to_port, f"{what} toPort")
    if low is None and high is None:
        return ALL_PORTS
    low = 0 if low is None or low < 0 else low
    high = 65535 if high is None or high < 0 else high
    return PortRange(int(low), int(high))


def nsg_ranges(single: Any, multiple: Any, what: str) -> list[PortRange]:
    """The destination port ranges of an NSG rule (``*``, ``22``, ``1000-2000``)."""
    out: list[PortRange] = []
    values = [single] if single is not None else []
    values += items(multiple, f"{what} destinationPortRanges")
    for v in values:
        need(v, f"{what} destinationPortRange")
        text = str(v).strip()
        if text in ("*", ""):
            out.append(ALL_PORTS)
            continue
        low, _, high = text.partition("-")
        try:
            out.append(PortRange(int(low), int(high or low)))
        except ValueError:
            continue
    return out


def exposure(
    ports: Callable[[], PortRange | None],
    relevant: Callable[[PortRange], bool],
    sources: Sequence[Any],
    is_open: Callable[[Any, str], bool],
    what: str,
) -> tuple[PortRange, list[str]] | None:
    """Whether an inbound rule exposes relevant ports to the Internet: ``(ports, open sources)`` or None.

    Each side is read only when the other does not already settle the answer: a rule on port 443 with
    an unknown source is decided (not an admin port), as is an unknown port range from 10.0.0.0/8.
    Raises Undecided only when an unknown value could change the outcome.
    """
    port_unknown: Undecided | None = None
    rng: PortRange | None
    try:
        rng = ports()
        port_hit: bool | None = rng is not None and relevant(rng)
    except Undecided as exc:
        rng, port_hit, port_unknown = None, None, exc
    if port_hit is False:
        return None
    opened: list[str] = []
    source_unknown: Undecided | None = None
    for src in sources:
        try:
            if is_open(src, what):
                opened.append(str(src))
        except Undecided as exc:
            source_unknown = exc
    if not opened:
        if source_unknown is None:
            return None
        raise source_unknown
    if port_hit is None:
        assert port_unknown is not None
        raise port_unknown
    assert rng is not None
    return rng, opened
