"""The ALZ policy library kept as data: Azure Policy's own JSON, one file per item, archetypes per group.

The library lives in ``components/azure/library/`` in the Azure Landing Zones library format
(https://github.com/Azure/Azure-Landing-Zones-Library, MIT): ``policy_definitions/``,
``policy_set_definitions/``, ``policy_assignments/`` and ``role_definitions/`` hold one ARM
resource each, ``archetype_definitions/`` lists per management group which assignments it gets
(and, at the root, which definitions, initiatives and custom roles are created), and
``policy_default_values.json`` maps the values only a deployment knows (the workspace id, the
approved locations...) to the assignment parameters that receive them. Built-in definitions are
referenced by id; what Kasbah needs to know of them offline (parameters, effect, the roles their
remediation needs, what they target) is in ``builtin_policy_metadata.json``, extracted from
https://github.com/Azure/azure-policy (MIT).

Users change the library without forking it: ``kasbah:policyLibrary`` adds directories whose
files replace Kasbah's by name (``*.alz_archetype_override.json`` files add or remove items of
an archetype), and ``kasbah:policies.<assignment>`` switches an assignment off, sets its
enforcement mode, parameters, non-compliance message or excluded scopes.

Everything here is pure: loading and resolving raise :class:`ConfigError` (one line naming the
key or the file) before any resource is registered.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from components.azure import arm_expressions as arm
from components.azure.validation import validate_expiry
from components.errors import ConfigError

LIBRARY_DIR = Path(__file__).resolve().parent / "library"
"""Kasbah's policy library."""

LIBRARY_KEY = "kasbah:policyLibrary"
POLICIES_KEY = "kasbah:policies"

ROLE_IDS: dict[str, str] = {
    "Owner": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "Contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "Reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    "Tag Contributor": "4a9ae827-6dc8-4573-8ac7-8021a8bf6b8d",
    "Log Analytics Contributor": "92aaf0da-9dab-42b6-94a3-d43ce8d16293",
    "Monitoring Contributor": "749f88d5-cbae-40b8-bcfc-e573ddc772fa",
    "Security Admin": "fb1c8493-542b-48eb-b624-b4c8fea62acd",
    "Network Contributor": "4d97b98b-1d4f-4787-a291-c67834d212e7",
    "Private DNS Zone Contributor": "b12aa53e-6015-4669-85d0-8515ebb3ae7f",
    "Backup Contributor": "5e467623-bb1f-42f4-a55d-6e525e11384b",
    "Virtual Machine Contributor": "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
}
"""Built-in Azure role definition GUIDs Kasbah names (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles)."""


def role_definition_id(role: str) -> str:
    """The tenant-level id of a built-in role by name (usable at any scope)."""
    return f"/providers/Microsoft.Authorization/roleDefinitions/{ROLE_IDS[role]}"


def role_guid(role_definition: str) -> str:
    """The GUID at the end of a role definition id, lower-cased."""
    return role_definition.rstrip("/").rsplit("/", 1)[-1].lower()


class Group(StrEnum):
    """The ALZ management groups, by the suffix of their id under the intermediate root."""

    ROOT = ""
    PLATFORM = "platform"
    MANAGEMENT = "management"
    CONNECTIVITY = "connectivity"
    IDENTITY = "identity"
    SECURITY = "security"
    LANDING_ZONES = "landingzones"
    CORP = "corp"
    ONLINE = "online"
    SANDBOX = "sandbox"
    DECOMMISSIONED = "decommissioned"


HIERARCHY: dict[Group, tuple[Group | None, str]] = {
    Group.ROOT: (None, "{prefix} root"),
    Group.PLATFORM: (Group.ROOT, "Platform"),
    Group.MANAGEMENT: (Group.PLATFORM, "Management"),
    Group.CONNECTIVITY: (Group.PLATFORM, "Connectivity"),
    Group.IDENTITY: (Group.PLATFORM, "Identity"),
    Group.SECURITY: (Group.PLATFORM, "Security"),
    Group.LANDING_ZONES: (Group.ROOT, "Landing Zones"),
    Group.CORP: (Group.LANDING_ZONES, "Corp"),
    Group.ONLINE: (Group.LANDING_ZONES, "Online"),
    Group.SANDBOX: (Group.ROOT, "Sandbox"),
    Group.DECOMMISSIONED: (Group.ROOT, "Decommissioned"),
}
"""Parent and display name of each group (parents listed before children)."""

ARCHETYPE_OF: dict[Group, str] = {
    g: ("root" if g is Group.ROOT else "landing_zones" if g is Group.LANDING_ZONES else g.value)
    for g in Group
}
"""The archetype (ALZ library name) each management group gets."""

SUBSCRIPTION_ARCHETYPE = "landing_zone_subscription"
"""Kasbah's archetype of assignments made at each landing-zone subscription (values per subscription)."""

GROUP_OF_ARCHETYPE: dict[str, Group] = {a: g for g, a in ARCHETYPE_OF.items()}


def ancestors(group: Group) -> list[Group]:
    """``group`` and every group above it, nearest first."""
    out = [group]
    parent = HIERARCHY[group][0]
    while parent is not None:
        out.append(parent)
        parent = HIERARCHY[parent][0]
    return out


ASSIGNMENT_NAME_MAX = 24
"""Azure's limit on a policy assignment name at management-group scope."""

MG_PLACEHOLDER = "placeholder"
"""The management group id the library's files use for the intermediate root (as ALZ's do)."""

_CURRENT_SCOPE = "${current_scope_resource_id}"
_CUSTOM_REF = re.compile(
    r"^/providers/Microsoft\.Management/managementGroups/[^/]+/providers/Microsoft\.Authorization/"
    r"(?P<kind>policyDefinitions|policySetDefinitions)/(?P<name>[^/]+)$",
    re.I,
)
_BUILTIN_REF = re.compile(
    r"^/providers/Microsoft\.Authorization/(?P<kind>policyDefinitions|policySetDefinitions)/(?P<name>[0-9a-f-]{36})$",
    re.I,
)
_REMEDIATING = ("deployifnotexists", "modify")
_SUFFIXES = {
    ".alz_policy_definition.json": "policy_definitions",
    ".alz_policy_set_definition.json": "policy_set_definitions",
    ".alz_policy_assignment.json": "policy_assignments",
    ".alz_role_definition.json": "role_definitions",
    ".alz_archetype_definition.json": "archetype_definitions",
    ".alz_archetype_override.json": "archetype_overrides",
}


class Enforcement(StrEnum):
    """Policy assignment enforcement mode."""

    DEFAULT = "Default"
    DO_NOT_ENFORCE = "DoNotEnforce"


class Remediation(StrEnum):
    """Which members of a DeployIfNotExists or Modify assignment get a remediation task per subscription."""

    AUTO = "auto"
    """Members whose target already exists when the landing zone is deployed: the subscription itself
    (Defender plans, security contacts, activity log) and Modify members (existing resources' tags)."""
    ALL = "all"
    """Every DeployIfNotExists and Modify member (resources created before the assignment)."""
    NONE = "none"
    """No remediation task (Azure Policy still acts on every later create or update)."""


@dataclass(frozen=True)
class PolicySwitch:
    """Per-assignment overrides (``kasbah:policies.<assignment>``, or ``<archetype>/<assignment>`` for one group)."""

    enabled: bool = True
    """Create the assignment. Default: ``true``."""
    enforcement: Enforcement = Enforcement.DEFAULT
    """``Default`` enforces the effect; ``DoNotEnforce`` only reports. Default: ``Default``."""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    """Parameter values replacing the library's (names as the definition declares them). Default: none."""
    non_compliance_message: str | None = None
    """Message shown when a resource is denied or reported. Default: the library's."""
    not_scopes: list[str] = field(default_factory=list)
    """Resource ids excluded from the assignment. Default: none."""
    remediation: Remediation = Remediation.AUTO
    """Remediation tasks per subscription: ``auto``, ``all`` or ``none``. Default: ``auto``."""


# --------------------------------------------------------------------------------------------------
# What Kasbah knows of a definition (custom or built-in)


@dataclass(frozen=True)
class ParamInfo:
    """A definition's parameter."""

    type: str
    has_default: bool = False
    default: Any = None
    allowed: tuple[Any, ...] | None = None
    assign_permissions: bool = False
    """``metadata.assignPermissions``: the assignment's identity needs roles on the resource it names."""


@dataclass(frozen=True)
class DefinitionInfo:
    """A policy definition as far as assignments, identities and remediation are concerned."""

    name: str
    display_name: str
    parameters: Mapping[str, ParamInfo]
    effect: str
    """The rule's ``then.effect``: a literal or ``[parameters('x')]``."""
    role_definition_ids: tuple[str, ...]
    target_types: tuple[str, ...]
    """Resource types the rule's ``if`` requires (``field: type`` equals/in), lower-cased; empty: any."""
    targets_subscription: bool
    """The rule evaluates subscriptions (DeployIfNotExists at subscription level)."""
    details_type: str = ""
    """``then.details.type`` (the resource a DeployIfNotExists deploys), lower-cased."""


@dataclass(frozen=True)
class SetMember:
    reference_id: str
    definition: str
    """Built-in GUID or custom definition name."""
    builtin: bool
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class SetInfo:
    """A policy set definition (initiative)."""

    name: str
    display_name: str
    parameters: Mapping[str, ParamInfo]
    members: tuple[SetMember, ...]


def _params(raw: Mapping[str, Any] | None) -> dict[str, ParamInfo]:
    out: dict[str, ParamInfo] = {}
    for k, v in (raw or {}).items():
        meta = v.get("metadata") or {}
        out[k] = ParamInfo(
            type=str(v.get("type", "String")),
            has_default="defaultValue" in v,
            default=v.get("defaultValue"),
            allowed=tuple(v["allowedValues"]) if "allowedValues" in v else None,
            assign_permissions=bool(meta.get("assignPermissions")),
        )
    return out


def _type_conditions(cond: Any) -> Iterator[Mapping[str, Any]]:
    """The top-level ``field: type`` conditions of a rule's ``if`` (directly or under ``allOf``)."""
    if not isinstance(cond, Mapping):
        return
    if str(cond.get("field", "")).lower() == "type":
        yield cond
    for sub in cond.get("allOf") or []:
        yield from _type_conditions(sub)


def summarise_definition(name: str, props: Mapping[str, Any]) -> DefinitionInfo:
    """What Kasbah needs of a definition's ``properties`` (custom or built-in)."""
    rule = props.get("policyRule") or {}
    then = rule.get("then") or {}
    details = then.get("details") if isinstance(then.get("details"), Mapping) else {}
    assert isinstance(details, Mapping)
    types: list[str] = []
    for c in _type_conditions(rule.get("if")):
        if "equals" in c:
            types.append(str(c["equals"]).lower())
        elif isinstance(c.get("in"), list):
            types.extend(str(t).lower() for t in c["in"])
    return DefinitionInfo(
        name=name,
        display_name=str(props.get("displayName", name)),
        parameters=_params(props.get("parameters")),
        effect=str(then.get("effect", "")),
        role_definition_ids=tuple(str(r) for r in details.get("roleDefinitionIds") or []),
        target_types=tuple(types),
        targets_subscription="microsoft.resources/subscriptions" in types,
        details_type=str(details.get("type", "")).lower(),
    )


def _ref(definition_id: str) -> tuple[str, str, bool]:
    """(kind, name, builtin) of a policy definition or set definition id; ValueError when it is neither."""
    m = _BUILTIN_REF.match(definition_id)
    if m:
        return m.group("kind"), m.group("name").lower(), True
    m = _CUSTOM_REF.match(definition_id)
    if m:
        return m.group("kind"), m.group("name"), False
    raise ValueError(definition_id)


def summarise_set(name: str, props: Mapping[str, Any]) -> SetInfo:
    members = []
    for m in props.get("policyDefinitions") or []:
        _, ref, builtin = _ref(str(m["policyDefinitionId"]))
        members.append(
            SetMember(
                reference_id=str(m.get("policyDefinitionReferenceId", ref)),
                definition=ref,
                builtin=builtin,
                parameters={k: v.get("value") for k, v in (m.get("parameters") or {}).items()},
            )
        )
    return SetInfo(
        name=name,
        display_name=str(props.get("displayName", name)),
        parameters=_params(props.get("parameters")),
        members=tuple(members),
    )


def builtin_from_json(data: Mapping[str, Any]) -> DefinitionInfo | SetInfo:
    """A built-in's entry of ``builtin_policy_metadata.json``."""
    params = {
        k: ParamInfo(
            type=v["type"],
            has_default="defaultValue" in v,
            default=v.get("defaultValue"),
            allowed=tuple(v["allowedValues"]) if "allowedValues" in v else None,
            assign_permissions=bool(v.get("assignPermissions")),
        )
        for k, v in data["parameters"].items()
    }
    if data["kind"] == "policySetDefinitions":
        return SetInfo(
            name=data["name"],
            display_name=data["displayName"],
            parameters=params,
            members=tuple(
                SetMember(m["referenceId"], m["definition"], True, m.get("parameters") or {})
                for m in data["members"]
            ),
        )
    return DefinitionInfo(
        name=data["name"],
        display_name=data["displayName"],
        parameters=params,
        effect=data["effect"],
        role_definition_ids=tuple(data["roleDefinitionIds"]),
        target_types=tuple(data["targetTypes"]),
        targets_subscription="microsoft.resources/subscriptions" in data["targetTypes"],
        details_type=data.get("detailsType", ""),
    )


def builtin_to_json(kind: str, info: DefinitionInfo | SetInfo) -> dict[str, Any]:
    """The inverse of :func:`builtin_from_json` (used to write the metadata file)."""

    def param(p: ParamInfo) -> dict[str, Any]:
        out: dict[str, Any] = {"type": p.type}
        if p.has_default:
            out["defaultValue"] = p.default
        if p.allowed is not None:
            out["allowedValues"] = list(p.allowed)
        if p.assign_permissions:
            out["assignPermissions"] = True
        return out

    base: dict[str, Any] = {
        "kind": kind,
        "name": info.name,
        "displayName": info.display_name,
        "parameters": {k: param(v) for k, v in info.parameters.items()},
    }
    if isinstance(info, SetInfo):
        base["members"] = [
            {"referenceId": m.reference_id, "definition": m.definition, "parameters": dict(m.parameters)}
            for m in info.members
        ]
    else:
        base.update(
            effect=info.effect,
            roleDefinitionIds=list(info.role_definition_ids),
            targetTypes=list(info.target_types),
            detailsType=info.details_type,
        )
    return base


# --------------------------------------------------------------------------------------------------
# Loading


@dataclass(frozen=True)
class Archetype:
    name: str
    policy_assignments: tuple[str, ...] = ()
    policy_definitions: tuple[str, ...] = ()
    policy_set_definitions: tuple[str, ...] = ()
    role_definitions: tuple[str, ...] = ()


@dataclass(frozen=True)
class DefaultValue:
    """A value only the deployment knows, and the assignment parameters it fills."""

    name: str
    description: str
    targets: tuple[tuple[str, tuple[str, ...]], ...]
    """(assignment name, parameter names)."""


@dataclass
class Library:
    """The merged library (Kasbah's, then each ``kasbah:policyLibrary`` directory in order)."""

    policy_definitions: dict[str, dict[str, Any]] = field(default_factory=dict)
    policy_set_definitions: dict[str, dict[str, Any]] = field(default_factory=dict)
    policy_assignments: dict[str, dict[str, Any]] = field(default_factory=dict)
    role_definitions: dict[str, dict[str, Any]] = field(default_factory=dict)
    """By ``properties.roleName``."""
    archetypes: dict[str, Archetype] = field(default_factory=dict)
    defaults: dict[str, DefaultValue] = field(default_factory=dict)
    builtins: dict[str, DefinitionInfo | SetInfo] = field(default_factory=dict)
    sources: dict[str, Path] = field(default_factory=dict)
    """``<kind>/<name>`` -> the file it came from."""

    def definition(self, name: str, builtin: bool) -> DefinitionInfo:
        if builtin:
            info = self.builtins.get(name.lower())
            if not isinstance(info, DefinitionInfo):
                raise KeyError(name)
            return info
        return summarise_definition(name, self.policy_definitions[name]["properties"])

    def policy_set(self, name: str, builtin: bool) -> SetInfo:
        if builtin:
            info = self.builtins.get(name.lower())
            if not isinstance(info, SetInfo):
                raise KeyError(name)
            return info
        return summarise_set(name, self.policy_set_definitions[name]["properties"])


def _lib_error(path: Path | str, problem: str, fix: str) -> ConfigError:
    return ConfigError(LIBRARY_KEY, f"{path}: {problem}", fix)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise _lib_error(path, f"cannot be read ({exc.__class__.__name__})", "check the path") from None
    except json.JSONDecodeError as exc:
        raise _lib_error(path, f"is not valid JSON (line {exc.lineno})", "fix the JSON") from None


def _need(path: Path, data: Any, *keys: str) -> Any:
    cur = data
    trail = []
    for k in keys:
        trail.append(k)
        if not isinstance(cur, Mapping) or k not in cur:
            raise _lib_error(path, f"has no {'.'.join(trail)}", "write the file in the ALZ library format")
        cur = cur[k]
    return cur


def _names(path: Path, data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _lib_error(path, f"{key} is not a list of names", "list the names as strings")
    return tuple(value)


def _load_dir(lib: Library, directory: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Load one library directory into ``lib`` (replacing same-named items); return its overrides."""
    if not directory.is_dir():
        raise _lib_error(directory, "is not a directory", "give the path of a policy library directory")
    overrides: list[tuple[Path, dict[str, Any]]] = []
    for path in sorted(directory.rglob("*.json")):
        kind = next((k for s, k in _SUFFIXES.items() if path.name.endswith(s)), None)
        if kind is None:
            if path.name in ("policy_default_values.json", "builtin_policy_metadata.json"):
                continue
            raise _lib_error(
                path,
                "is not a library file",
                f"name it <name>{{{', '.join(_SUFFIXES)}}} or move it out of the library",
            )
        data = _read_json(path)
        if kind == "archetype_overrides":
            overrides.append((path, data))
            continue
        if kind == "archetype_definitions":
            name = str(_need(path, data, "name"))
            lib.archetypes[name] = Archetype(
                name,
                _names(path, data, "policy_assignments"),
                _names(path, data, "policy_definitions"),
                _names(path, data, "policy_set_definitions"),
                _names(path, data, "role_definitions"),
            )
            lib.sources[f"archetype/{name}"] = path
            continue
        if kind == "role_definitions":
            name = str(_need(path, data, "properties", "roleName"))
            _need(path, data, "properties", "permissions")
        else:
            name = str(_need(path, data, "name"))
            _need(path, data, "properties")
        if kind == "policy_assignments":
            ref = str(_need(path, data, "properties", "policyDefinitionId"))
            try:
                _ref(ref)
            except ValueError:
                raise _lib_error(
                    path,
                    f"policyDefinitionId {ref!r} is neither a built-in nor a library definition id",
                    "use /providers/Microsoft.Authorization/policy(Set)Definitions/<guid> or "
                    "/providers/Microsoft.Management/managementGroups/placeholder/providers/"
                    "Microsoft.Authorization/policy(Set)Definitions/<name>",
                ) from None
        getattr(lib, kind)[name] = data
        lib.sources[f"{kind}/{name}"] = path
    defaults = directory / "policy_default_values.json"
    if defaults.exists():
        for i, d in enumerate(_need(defaults, _read_json(defaults), "defaults")):
            name = str(_need(defaults, d, "default_name"))
            targets = tuple(
                (str(t["policy_assignment_name"]), tuple(str(p) for p in t["parameter_names"]))
                for t in d.get("policy_assignments") or []
            )
            if not targets:
                raise _lib_error(defaults, f"defaults[{i}] ({name}) fills no parameter", "list its targets")
            lib.defaults[name] = DefaultValue(name, str(d.get("description", "")), targets)
    builtins = directory / "builtin_policy_metadata.json"
    if builtins.exists():
        for key, entry in _need(builtins, _read_json(builtins), "builtins").items():
            lib.builtins[key.lower()] = builtin_from_json(entry)
    return overrides


def _apply_override(lib: Library, path: Path, data: Mapping[str, Any]) -> None:
    base = str(_need(path, data, "base_archetype"))
    if base not in lib.archetypes:
        raise _lib_error(
            path, f"base_archetype {base!r} is not an archetype", f"use one of {sorted(lib.archetypes)}"
        )
    a = lib.archetypes[base]
    fields: dict[str, tuple[str, ...]] = {}
    for kind in ("policy_assignments", "policy_definitions", "policy_set_definitions", "role_definitions"):
        current = list(getattr(a, kind))
        remove = _names(path, data, f"{kind}_to_remove")
        for r in remove:
            if r not in current:
                raise _lib_error(
                    path, f"{kind}_to_remove names {r!r}, which {base} does not have", "remove it"
                )
        current = [x for x in current if x not in remove]
        current += [x for x in _names(path, data, f"{kind}_to_add") if x not in current]
        fields[kind] = tuple(current)
    lib.archetypes[base] = Archetype(base, **fields)


def load_library(extra: Sequence[str | Path] = ()) -> Library:
    """Kasbah's library, then each directory of ``extra`` over it (same names replace)."""
    return _load_library(tuple(str(Path(p).expanduser()) for p in extra))


@functools.lru_cache(maxsize=8)
def _load_library(extra: tuple[str, ...]) -> Library:
    lib = Library()
    overrides = _load_dir(lib, LIBRARY_DIR)
    for p in extra:
        overrides += _load_dir(lib, Path(p))
    for path, data in overrides:
        _apply_override(lib, path, data)
    check_library(lib)
    return lib


def _close(value: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(value, list(known), n=1)
    return f"did you mean {close[0]!r}?" if close else f"known: {', '.join(sorted(known)[:12])}"


def check_library(lib: Library) -> None:
    """Every name an archetype, assignment or initiative uses exists (one line naming the file)."""
    for g in Group:
        if ARCHETYPE_OF[g] not in lib.archetypes:
            raise _lib_error(LIBRARY_DIR, f"no archetype {ARCHETYPE_OF[g]!r}", "add its archetype file")
    root = lib.archetypes["root"]
    for name, a in lib.archetypes.items():
        path = lib.sources.get(f"archetype/{name}", LIBRARY_DIR)
        for kind in (
            "policy_assignments",
            "policy_definitions",
            "policy_set_definitions",
            "role_definitions",
        ):
            for item in getattr(a, kind):
                if item not in getattr(lib, kind):
                    raise _lib_error(
                        path,
                        f"lists {kind[:-1].replace('_', ' ')} {item!r}, which the library lacks",
                        _close(item, list(getattr(lib, kind))),
                    )
        if name != "root" and (a.policy_definitions or a.policy_set_definitions or a.role_definitions):
            raise _lib_error(
                path, "creates definitions or roles below the root", "list them in the root archetype"
            )
    for name, raw in lib.policy_set_definitions.items():
        path = lib.sources[f"policy_set_definitions/{name}"]
        for m in summarise_set(name, raw["properties"]).members:
            _check_target(lib, path, "policyDefinitions", m.definition, m.builtin, root)
    for name, assignment in lib.policy_assignments.items():
        path = lib.sources[f"policy_assignments/{name}"]
        if len(name) > ASSIGNMENT_NAME_MAX:
            raise _lib_error(
                path, f"assignment name {name!r} is longer than {ASSIGNMENT_NAME_MAX}", "shorten it"
            )
        kind, ref, builtin = _ref(assignment["properties"]["policyDefinitionId"])
        _check_target(lib, path, kind, ref, builtin, root)
    for name, d in lib.defaults.items():
        for target, _ in d.targets:
            if target not in lib.policy_assignments:
                raise _lib_error(
                    LIBRARY_DIR / "policy_default_values.json",
                    f"default {name!r} targets assignment {target!r}, which the library lacks",
                    _close(target, list(lib.policy_assignments)),
                )


def _check_target(lib: Library, path: Path, kind: str, ref: str, builtin: bool, root: Archetype) -> None:
    if builtin:
        info = lib.builtins.get(ref)
        want = SetInfo if kind == "policySetDefinitions" else DefinitionInfo
        if not isinstance(info, want):
            raise _lib_error(
                path,
                f"references built-in {ref} that builtin_policy_metadata.json does not describe",
                "add its metadata (see the library README) or use a library definition",
            )
        return
    pool, listed = (
        (lib.policy_set_definitions, root.policy_set_definitions)
        if kind == "policySetDefinitions"
        else (lib.policy_definitions, root.policy_definitions)
    )
    if ref not in pool:
        raise _lib_error(
            path, f"references {kind[:-1]} {ref!r}, which the library lacks", _close(ref, list(pool))
        )
    if ref not in listed:
        raise _lib_error(
            path,
            f"references {ref!r}, which the root archetype does not create",
            "list it in the root archetype",
        )


# --------------------------------------------------------------------------------------------------
# Resolving assignments


@dataclass(frozen=True)
class Member:
    """One definition an assignment applies, with its effect once parameters are known."""

    reference_id: str | None
    """The initiative's reference id (``None`` when a definition is assigned directly)."""
    definition: DefinitionInfo
    effect: str
    """Lower-cased effective effect (``deny``, ``deployifnotexists``...; unknown values lower-cased as given)."""

    @property
    def remediating(self) -> bool:
        return self.effect in _REMEDIATING

    @property
    def may_remediate(self) -> bool:
        """Remediating, or of an effect Kasbah cannot evaluate that may be DeployIfNotExists or Modify."""
        if self.remediating:
            return True
        if self.effect != "unknown":
            return False
        p = self.definition.parameters.get("effect")
        allowed = [str(a).lower() for a in (p.allowed or ())] if p is not None else []
        return any(e in _REMEDIATING for e in allowed) or self.definition.effect.lower() in _REMEDIATING


@dataclass(frozen=True)
class ResolvedAssignment:
    """An assignment ready to create: where, what, with which values, identity, roles and remediation."""

    key: str
    """``<archetype>/<name>``: unique, the Pulumi logical name's basis."""
    name: str
    archetype: str
    group: Group | None
    """The management group (``None`` for the landing-zone subscription archetype)."""
    policy_definition_id: str
    target: str
    target_is_set: bool
    builtin: bool
    display_name: str
    description: str
    enforcement: Enforcement
    parameters: Mapping[str, Any]
    """Values (library, then defaults, then overrides); a value may be a ``pulumi.Output``."""
    non_compliance_message: str
    not_scopes: tuple[str, ...]
    definition_version: str | None
    members: tuple[Member, ...]
    role_definition_ids: tuple[str, ...]
    """Roles the identity needs (the members' ``roleDefinitionIds``), sorted, lower-cased."""
    permission_parameters: tuple[str, ...]
    """Parameters naming resources outside the scope that the identity needs its roles on."""
    extra_scope_defaults: tuple[str, ...]
    """Default values naming further scopes of the identity's roles (``kasbah_additional_role_assignment_scopes``)."""
    defaults_used: tuple[str, ...]
    remediation: Remediation

    @property
    def needs_identity(self) -> bool:
        return any(m.may_remediate for m in self.members)

    def remediation_members(self) -> tuple[Member, ...]:
        """Members that get a remediation task in each existing subscription under the scope."""
        if self.remediation is Remediation.NONE or self.enforcement is Enforcement.DO_NOT_ENFORCE:
            return ()
        out = []
        for m in self.members:
            if not m.remediating:
                continue
            if (
                self.remediation is Remediation.ALL
                or m.definition.targets_subscription
                or m.effect == "modify"
            ):
                out.append(m)
        return tuple(out)


_UNKNOWN = object()


def _scope_values(params: Mapping[str, Any], declared: Mapping[str, ParamInfo]) -> dict[str, Any]:
    """Parameter values of a scope: those given, else the declared defaults."""
    out = {k: p.default for k, p in declared.items() if p.has_default}
    out.update(params)
    return out


def _effective(value: Any, scope: Mapping[str, Any]) -> Any:
    """``value`` evaluated in a scope's parameter values (``_UNKNOWN`` when Kasbah cannot tell)."""
    try:
        return arm.evaluate(value, arm.Context(parameters=scope))
    except arm.Unsupported:
        return _UNKNOWN


def _definition_effect(d: DefinitionInfo, given: Mapping[str, Any]) -> str:
    values = {k: v for k, v in given.items() if v is not _UNKNOWN}
    if any(v is _UNKNOWN for v in given.values()) and "effect" in d.effect:
        return "unknown"
    value = _effective(d.effect, _scope_values(values, d.parameters))
    return str(value).lower() if isinstance(value, str) else "unknown"


def _members(lib: Library, kind: str, ref: str, builtin: bool, params: Mapping[str, Any]) -> list[Member]:
    if kind == "policyDefinitions":
        d = lib.definition(ref, builtin)
        return [Member(None, d, _definition_effect(d, params))]
    s = lib.policy_set(ref, builtin)
    scope = _scope_values(params, s.parameters)
    out = []
    for m in s.members:
        given = {k: _effective(v, scope) for k, v in m.parameters.items()}
        d = lib.definition(m.definition, m.builtin)
        out.append(Member(m.reference_id, d, _definition_effect(d, given)))
    return out


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "array": (list, tuple),
    "object": (dict,),
    "boolean": (bool,),
    "integer": (int,),
    "float": (int, float),
    "datetime": (str,),
}


def _check_value(key: str, value: Any, p: ParamInfo) -> None:
    want = _TYPES.get(p.type.lower())
    if want is None or not isinstance(value, str | bool | int | float | list | tuple | dict):
        return  # an Output, or a type Kasbah does not check
    if p.type.lower() == "integer" and isinstance(value, bool):
        want = ()
    if not isinstance(value, want):
        raise ConfigError(
            key, f"expected a value of type {p.type}, got {type(value).__name__}", f"give a {p.type}"
        )
    if p.allowed is not None and not isinstance(value, list | tuple | dict):
        allowed = list(p.allowed)
        if value not in allowed and not (
            isinstance(value, str) and value.lower() in [str(a).lower() for a in allowed]
        ):
            raise ConfigError(key, f"{value!r} is not one of {allowed}", f"use one of {allowed}")


def _message(text: str, enforcement: Enforcement) -> str:
    """ALZ's ``{enforcementMode}`` placeholder: "must" when enforced, "should" otherwise."""
    return text.replace("{enforcementMode}", "must" if enforcement is Enforcement.DEFAULT else "should")


def _switch_for(
    switches: Mapping[str, PolicySwitch], archetype: str, name: str
) -> tuple[PolicySwitch, list[str]]:
    keys = [k for k in (name, f"{archetype}/{name}") if k in switches]
    merged = PolicySwitch()
    for k in keys:  # the group-specific key wins
        merged = switches[k]
    return merged, keys


def check_switches(lib: Library, switches: Mapping[str, PolicySwitch]) -> None:
    """Every ``kasbah:policies`` key names an assignment some archetype makes."""
    known: set[str] = set()
    for a in lib.archetypes.values():
        for n in a.policy_assignments:
            known.update((n, f"{a.name}/{n}"))
    for k in switches:
        if k not in known:
            legacy = LEGACY_KEYS.get(k)
            hint = f"it was renamed to {legacy!r}" if legacy else _close(k, sorted(known))
            raise ConfigError(f"{POLICIES_KEY}.{k}", f"{k!r} is not a policy assignment of the library", hint)


def resolve(
    lib: Library,
    archetype: str,
    group: Group | None,
    root_id: str,
    switches: Mapping[str, PolicySwitch],
    defaults: Mapping[str, Any],
) -> list[ResolvedAssignment]:
    """The enabled assignments of one archetype, with parameters filled and checked."""
    check_switches(lib, switches)
    out: list[ResolvedAssignment] = []
    for name in lib.archetypes[archetype].policy_assignments:
        switch, keys = _switch_for(switches, archetype, name)
        if not switch.enabled:
            continue
        cfg = f"{POLICIES_KEY}.{keys[-1]}" if keys else f"{POLICIES_KEY}.{name}"
        raw = lib.policy_assignments[name]
        props = raw["properties"]
        kind, ref, builtin = _ref(props["policyDefinitionId"])
        declared = (
            lib.policy_set(ref, builtin).parameters
            if kind == "policySetDefinitions"
            else lib.definition(ref, builtin).parameters
        )
        params: dict[str, Any] = {k: v.get("value") for k, v in (props.get("parameters") or {}).items()}
        used: list[str] = []
        for d in lib.defaults.values():
            for target, pnames in d.targets:
                if target != name:
                    continue
                if d.name not in defaults:
                    raise ConfigError(
                        cfg,
                        f"parameters {list(pnames)} take the default value {d.name!r} ({d.description.rstrip('.')}), "
                        "which this deployment does not provide",
                        f"set what it comes from, give them values in {cfg}.parameters, or disable the assignment",
                    )
                used.append(d.name)
                for p in pnames:
                    params[p] = defaults[d.name]
        for p, value in switch.parameters.items():
            if p not in declared:
                raise ConfigError(
                    f"{cfg}.parameters.{p}", f"{ref} has no parameter {p!r}", _close(p, list(declared))
                )
            params[p] = value
        for p, value in params.items():
            if p not in declared:
                raise _lib_error(
                    lib.sources[f"policy_assignments/{name}"],
                    f"sets parameter {p!r}, which {ref} does not declare",
                    _close(p, list(declared)),
                )
            _check_value(f"{cfg}.parameters.{p}", value, declared[p])
        for p, info in declared.items():
            if p not in params and not info.has_default:
                raise ConfigError(
                    f"{cfg}.parameters.{p}",
                    f"{ref} requires parameter {p!r} and neither the library nor the config sets it",
                    f"set {cfg}.parameters.{p}",
                )
        members = _members(lib, kind, ref, builtin, params)
        roles = sorted(
            {role_guid(r) for m in members if m.may_remediate for r in m.definition.role_definition_ids}
        )
        perm_params = tuple(
            sorted(p for p, info in declared.items() if info.assign_permissions and p in params)
        )
        messages = props.get("nonComplianceMessages") or []
        text = switch.non_compliance_message or (
            str(messages[0]["message"]) if messages else str(props.get("description", name))
        )
        enforcement = (
            switch.enforcement if keys else Enforcement(str(props.get("enforcementMode", "Default")))
        )
        extra = tuple(str(x) for x in raw.get("kasbah_additional_role_assignment_scopes") or ())
        for x in extra:
            if x not in defaults:
                raise ConfigError(
                    cfg,
                    f"the library grants the identity roles on the default value {x!r}, which this deployment "
                    "does not provide",
                    "remove kasbah_additional_role_assignment_scopes from the assignment file, or disable it",
                )
        policy_id = (
            props["policyDefinitionId"]
            if builtin
            else f"/providers/Microsoft.Management/managementGroups/{root_id}/providers/Microsoft.Authorization/{kind}/{ref}"
        )
        out.append(
            ResolvedAssignment(
                key=f"{archetype}/{name}",
                name=name,
                archetype=archetype,
                group=group,
                policy_definition_id=policy_id,
                target=ref,
                target_is_set=kind == "policySetDefinitions",
                builtin=builtin,
                display_name=str(props.get("displayName", name)),
                description=str(props.get("description", "")),
                enforcement=enforcement,
                parameters=params,
                non_compliance_message=_message(text, enforcement),
                not_scopes=tuple(switch.not_scopes) or tuple(props.get("notScopes") or ()),
                definition_version=props.get("definitionVersion"),
                members=tuple(members),
                role_definition_ids=tuple(
                    f"/providers/Microsoft.Authorization/roleDefinitions/{r}" for r in roles
                ),
                permission_parameters=perm_params,
                extra_scope_defaults=extra,
                defaults_used=tuple(used),
                remediation=switch.remediation,
            )
        )
    return out


def resolve_groups(
    lib: Library, root_id: str, switches: Mapping[str, PolicySwitch], defaults: Mapping[str, Any]
) -> list[ResolvedAssignment]:
    """Every management group's enabled assignments, groups in hierarchy order."""
    out: list[ResolvedAssignment] = []
    for g in HIERARCHY:
        out += resolve(lib, ARCHETYPE_OF[g], g, root_id, switches, defaults)
    return out


def custom_items(lib: Library) -> tuple[list[str], list[str], list[str]]:
    """Definitions, initiatives and role names the root archetype creates."""
    root = lib.archetypes["root"]
    return list(root.policy_definitions), list(root.policy_set_definitions), list(root.role_definitions)


def rewrite_custom_ids(value: Any, root_id: str) -> Any:
    """Point every library definition id inside ``value`` (an initiative's members) at the intermediate root."""
    if isinstance(value, str):
        m = _CUSTOM_REF.match(value)
        if m:
            return (
                f"/providers/Microsoft.Management/managementGroups/{root_id}/providers/"
                f"Microsoft.Authorization/{m.group('kind')}/{m.group('name')}"
            )
        return value
    if isinstance(value, list):
        return [rewrite_custom_ids(v, root_id) for v in value]
    if isinstance(value, dict):
        return {k: rewrite_custom_ids(v, root_id) for k, v in value.items()}
    return value


def assignable_scopes(raw: Mapping[str, Any], root_scope: str) -> list[str]:
    return [
        root_scope if s == _CURRENT_SCOPE else str(s) for s in raw["properties"].get("assignableScopes") or []
    ]


LEGACY_KEYS: dict[str, str] = {
    "allowed-locations": "kbh-allowed-locs",
    "allowed-locations-rg": "kbh-allowed-locs-rg",
    "require-classification-tag": "kbh-require-class-tag",
    "inherit-classification-tag": "kbh-inherit-class-tag",
    "deny-public-ip-corp": "kbh-deny-pip-corp",
    "deny-public-ip-identity": "kbh-deny-pip-identity",
    "deny-mgmt-ports-internet": "kbh-deny-mgmt-ports",
    "deny-subnet-without-nsg": "kbh-deny-snet-no-nsg",
    "storage-baseline": "kbh-storage-baseline",
    "keyvault-purge-protection": "Enforce-GR-KeyVault",
    "defender-plans": "Deploy-MDFC-Config-H224",
    "diagnostics-to-log-analytics": "Deploy-Diag-LogsCat",
    "deny-hybrid-networking": "kbh-deny-hybrid-net",
    "decommissioned-deny-all": "kbh-decom-deny-all",
}
"""The keys of ``kasbah:policies`` before the library became data, and the assignment each became."""


# --------------------------------------------------------------------------------------------------
# Exemptions


class ExemptionCategory(StrEnum):
    WAIVER = "Waiver"
    MITIGATED = "Mitigated"


@dataclass(frozen=True)
class ExemptionSpec:
    """An exemption from one assignment, at a scope, for a reason, until an expiry date."""

    assignment: str
    """Assignment exempted: its name, or ``<archetype>/<name>`` when several groups have it. Required."""
    scope: str
    """Resource id of the exempted scope (management group, subscription, resource group or resource). Required."""
    reason: str
    """Why the exemption is needed. Required."""
    expires: str | None = None
    """Expiry date (YYYY-MM-DD). Required: an exemption without expiry is refused."""
    category: ExemptionCategory = ExemptionCategory.WAIVER
    """``Waiver`` or ``Mitigated``. Default: ``Waiver``."""
    references: list[str] = field(default_factory=list)
    """Initiative members exempted (reference ids). Default: all of them."""


@dataclass(frozen=True)
class CheckedExemption:
    spec: ExemptionSpec
    expires: dt.date
    assignment: ResolvedAssignment


def validate_exemptions(
    exemptions: Sequence[ExemptionSpec],
    enabled: Sequence[ResolvedAssignment],
    key: str = "kasbah:exemptions",
) -> list[CheckedExemption]:
    """Every exemption names one enabled assignment, a resource-id scope, a reason and an expiry."""
    out: list[CheckedExemption] = []
    for i, ex in enumerate(exemptions):
        k = f"{key}[{i}]"
        matches = [a for a in enabled if ex.assignment in (a.name, a.key)]
        if not matches:
            legacy = LEGACY_KEYS.get(ex.assignment)
            known = sorted({a.name for a in enabled})
            raise ConfigError(
                f"{k}.assignment",
                f"{ex.assignment!r} is not an enabled policy assignment",
                f"it was renamed to {legacy!r}" if legacy else _close(ex.assignment, known),
            )
        if len(matches) > 1:
            raise ConfigError(
                f"{k}.assignment",
                f"{ex.assignment!r} is assigned at several groups ({', '.join(a.key for a in matches)})",
                "name one as <archetype>/<name>",
            )
        a = matches[0]
        if not ex.scope.startswith("/"):
            raise ConfigError(
                f"{k}.scope",
                f"{ex.scope!r} is not a resource id",
                "use an id such as /subscriptions/<id>/resourceGroups/<name>",
            )
        if not ex.reason.strip():
            raise ConfigError(f"{k}.reason", "exemption has no reason", "say why the exemption is needed")
        refs = {m.reference_id for m in a.members}
        for j, r in enumerate(ex.references):
            if r not in refs:
                raise ConfigError(
                    f"{k}.references[{j}]",
                    f"{a.name} has no member {r!r}",
                    _close(r, sorted(x for x in refs if x)),
                )
        out.append(CheckedExemption(ex, validate_expiry(f"{k}.expires", ex.expires), a))
    return out
