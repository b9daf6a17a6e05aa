"""The pack's data files, loaded once: cloud-created resources, service-linked roles, ordered pairs, name formats."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from kasbah.facts import GCP_NAME_FORMATS, NameFormat

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class CloudCreated:
    """A kind of resource the cloud creates on its own (an entry of cloud_created.json)."""

    id: str
    type: str
    when: str
    what: str
    why: str
    source: str
    property: str = ""
    pattern: str = ""
    admin_type: str = ""
    org_config_type: str = ""


@dataclass(frozen=True)
class ServiceLinkedRole:
    """A service's default service-linked role, and the resource types whose create makes the service
    create it (an entry of service_linked_roles.json)."""

    service: str
    role_name: str
    created_by: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Side:
    type: str
    flag: str = ""
    equals: tuple[tuple[str, str], ...] = ()
    present: str = ""

    def matches(self, type_: str, props: dict[str, Any]) -> bool:
        if type_ != self.type:
            return False
        if self.flag and props.get(self.flag) is not True:
            return False
        if self.present and not props.get(self.present):
            return False
        return all(props.get(k) == v for k, v in self.equals)


@dataclass(frozen=True)
class OrderedPair:
    """Two resources that must be created in order (an entry of ordered_pairs.json)."""

    id: str
    after: Side
    before: Side
    link: str
    why: str
    source: str


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((HERE / name).read_text())
    return data


def _side(raw: dict[str, Any]) -> Side:
    return Side(
        type=raw["type"],
        flag=raw.get("flag", ""),
        equals=tuple(sorted(raw.get("equals", {}).items())),
        present=raw.get("present", ""),
    )


@cache
def cloud_created() -> tuple[CloudCreated, ...]:
    return tuple(CloudCreated(**e) for e in _load("cloud_created.json")["entries"])


@cache
def service_linked_roles() -> tuple[ServiceLinkedRole, ...]:
    return tuple(
        ServiceLinkedRole(e["service"], e["role_name"], tuple(e["created_by"]), e["source"])
        for e in _load("service_linked_roles.json")["roles"]
    )


@cache
def ordered_pairs() -> tuple[OrderedPair, ...]:
    return tuple(
        OrderedPair(p["id"], _side(p["after"]), _side(p["before"]), p["link"], p["why"], p["source"])
        for p in _load("ordered_pairs.json")["pairs"]
    )


@cache
def name_formats() -> dict[str, tuple[tuple[str, NameFormat], ...]]:
    """Type -> (input, format) pairs of name_formats.json, the formats from ``kasbah.facts``."""
    out: dict[str, list[tuple[str, NameFormat]]] = {}
    for e in _load("name_formats.json")["names"]:
        out.setdefault(e["type"], []).append((e["property"], GCP_NAME_FORMATS[e["format"]]))
    return {k: tuple(v) for k, v in out.items()}
