"""Policy packs, run in-process through pulumi-policy's own analyzer.

The real CLI starts each pack's ``__main__.py`` (which builds a ``PolicyPack``
and serves pulumi-policy's analyzer over gRPC) and then calls, for each pack:
``GetAnalyzerInfo``, ``Configure`` with the reconciled policy-pack config,
``Analyze`` for every resource and ``AnalyzeStack`` once at the end. This
module does the same calls on the same analyzer class, without gRPC:

- the pack's ``__main__.py`` runs with ``PolicyPack`` replaced by a capturing
  class, so any pack (Kasbah's or a user's) loads without starting a server;
- configuration is reconciled as the CLI does (``ReconcilePolicyPackConfig``:
  schema defaults, then the pack's initial config, then the file, ``all``
  first) and validated against each policy's config schema;
- the version in ``PulumiPolicy.yaml`` wins over the pack's, as in the CLI.

pulumi-policy is pinned exactly in pyproject.toml: ``_PolicyAnalyzerServicer``
is private.
"""

from __future__ import annotations

import copy
import json
import os
import runpy
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from kasbah.engine.model import PreviewResult, RecordedResource, Violation
from kasbah.errors import PreviewError

if TYPE_CHECKING:
    from kasbah.project import StackConfig

POLICIES_DIR = Path(__file__).resolve().parent.parent / "policies"
ENFORCEMENT_LEVELS = ("advisory", "mandatory", "remediate", "disabled")


@dataclass
class LoadedPack:
    name: str
    version: str
    path: Path
    policies: list[Any]
    enforcement_level: Any
    initial_config: dict[str, Any] | None
    kwargs: dict[str, Any]


class _Captured(Exception):
    def __init__(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        super().__init__("captured")
        self.args_ = args
        self.kwargs = kwargs


class _CapturingPolicyPack:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise _Captured(args, kwargs)


def discover_packs(root: Path = POLICIES_DIR) -> list[Path]:
    """Every directory under ``root`` holding a PulumiPolicy.yaml, sorted."""
    if not root.is_dir():
        return []
    return sorted(p.parent for p in root.glob("*/PulumiPolicy.yaml"))


@contextmanager
def _patched_policy_pack() -> Iterator[None]:
    import pulumi_policy
    import pulumi_policy.policy as policy_module

    saved = (pulumi_policy.PolicyPack, policy_module.PolicyPack)
    pulumi_policy.PolicyPack = _CapturingPolicyPack  # type: ignore[misc,assignment]
    policy_module.PolicyPack = _CapturingPolicyPack  # type: ignore[misc,assignment]
    try:
        yield
    finally:
        pulumi_policy.PolicyPack, policy_module.PolicyPack = saved  # type: ignore[misc]


def load_pack(path: str | Path) -> LoadedPack:
    """Load a policy pack directory by running its ``__main__.py`` with a capturing PolicyPack."""
    path = Path(path).resolve()
    meta_file = path / "PulumiPolicy.yaml"
    if not meta_file.exists():
        raise PreviewError(f"{path}: not a policy pack (no PulumiPolicy.yaml)")
    try:
        meta = yaml.safe_load(meta_file.read_text()) or {}
    except yaml.YAMLError as exc:
        raise PreviewError(f"{meta_file}: malformed YAML: {exc}") from None
    runtime = meta.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise PreviewError(f"{meta_file}: runtime {runtime_name!r} cannot run in-process (only 'python')")
    entry = path / "__main__.py"
    if not entry.exists():
        raise PreviewError(f"{path}: no __main__.py")
    old_path = list(sys.path)
    sys.path.insert(0, str(path))
    try:
        with _patched_policy_pack():
            runpy.run_path(str(entry), run_name="__main__")
    except _Captured as cap:
        args, kwargs = cap.args_, cap.kwargs
    except Exception as exc:
        raise PreviewError(f"{entry}: the policy pack failed to load: {type(exc).__name__}: {exc}") from None
    else:
        raise PreviewError(f"{entry}: the policy pack never constructed a PolicyPack")
    finally:
        sys.path[:] = old_path
    names = ["name", "policies", "enforcement_level", "initial_config"]
    bound = dict(zip(names, args, strict=False))
    bound.update(kwargs)
    from pulumi_policy import EnforcementLevel

    return LoadedPack(
        name=str(bound["name"]),
        version=str(meta.get("version") or "0.0.1"),
        path=path,
        policies=list(bound["policies"]),
        enforcement_level=bound.get("enforcement_level") or EnforcementLevel.ADVISORY,
        initial_config=bound.get("initial_config"),
        kwargs={k: v for k, v in bound.items() if k not in names},
    )


def load_packs(paths: Sequence[str | Path] | None) -> list[LoadedPack]:
    """``None``: every pack shipped with Kasbah; otherwise the given pack directories."""
    dirs = discover_packs() if paths is None else [Path(p) for p in paths]
    return [load_pack(p) for p in dirs]


# --------------------------------------------------------------------------------------------------
# Configuration, reconciled as the CLI does


def parse_policy_config(data: Any, where: str) -> dict[str, dict[str, Any]]:
    """Parse a ``--policy-pack-config`` document: ``{name: level | {enforcementLevel?, props...}}``."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PreviewError(f"{where}: policy config must be a JSON object")
    result: dict[str, dict[str, Any]] = {}
    for key, value in data.items():
        level: str | None = None
        props: dict[str, Any] | None = None
        if isinstance(value, str):
            if value not in ENFORCEMENT_LEVELS:
                raise PreviewError(f"{where}: parsing enforcement level for {key!r}: {value!r} is not valid")
            level = value
        elif isinstance(value, dict):
            value = dict(value)
            if "enforcementLevel" in value:
                el = value.pop("enforcementLevel")
                if not isinstance(el, str) or el not in ENFORCEMENT_LEVELS:
                    raise PreviewError(f"{where}: parsing enforcement level for {key!r}: {el!r} is not valid")
                level = el
            props = value or None
        else:
            raise PreviewError(f"{where}: parsing {key!r}: must be a string or an object")
        if level is None and not props:
            continue
        result[key] = {"enforcementLevel": level, "properties": props}
    return result


def load_policy_config(
    source: str | Path | Mapping[str, Any] | None,
) -> tuple[dict[str, dict[str, Any]], str]:
    if source is None:
        return {}, ""
    if isinstance(source, Mapping):
        return parse_policy_config(copy.deepcopy(dict(source)), "policy config"), "policy config"
    path = Path(source)
    try:
        text = path.read_text()
    except OSError as exc:
        raise PreviewError(f"{path}: cannot read policy config ({exc.strerror})") from None
    if not text.strip():
        return {}, str(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PreviewError(
            f"{path}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    return parse_policy_config(data, str(path)), str(path)


def _level_name(level: Any) -> str:
    return str(getattr(level, "value", level))


def reconcile(pack: LoadedPack, given: Mapping[str, dict[str, Any]], where: str) -> dict[str, dict[str, Any]]:
    """``ReconcilePolicyPackConfig``: defaults, then initial config, then the file; then validate."""
    import jsonschema

    result: dict[str, dict[str, Any]] = {}
    schemas: dict[str, dict[str, Any]] = {}
    for policy in pack.policies:
        level = policy.enforcement_level if policy.enforcement_level is not None else pack.enforcement_level
        props: dict[str, Any] | None = None
        schema = policy.config_schema
        if schema is not None and schema.properties:
            for k, v in schema.properties.items():
                if isinstance(v, dict) and "default" in v:
                    props = props or {}
                    props[k] = copy.deepcopy(v["default"])
        result[policy.name] = {"enforcementLevel": _level_name(level), "properties": props}
        full: dict[str, Any] = {
            "type": "object",
            "properties": dict(schema.properties or {}) if schema else {},
        }
        full["properties"]["enforcementLevel"] = {"type": "string", "enum": list(ENFORCEMENT_LEVELS)}
        if schema is not None and schema.required:
            full["required"] = list(schema.required)
        schemas[policy.name] = full

    def apply(cfg: Mapping[str, dict[str, Any]]) -> None:
        all_cfg = cfg.get("all")
        if all_cfg and all_cfg.get("enforcementLevel"):
            for v in result.values():
                v["enforcementLevel"] = all_cfg["enforcementLevel"]
        for name, given_cfg in cfg.items():
            current = result.get(name, {"enforcementLevel": None, "properties": None})
            level = given_cfg.get("enforcementLevel") or current["enforcementLevel"]
            props = current["properties"]
            if given_cfg.get("properties"):
                props = dict(props or {})
                props.update(copy.deepcopy(given_cfg["properties"]))
            result[name] = {"enforcementLevel": level, "properties": props}

    if pack.initial_config:
        initial: dict[str, dict[str, Any]] = {}
        for k, v in pack.initial_config.items():
            if isinstance(v, dict):
                v = dict(v)
                el = v.pop("enforcementLevel", None)
                initial[k] = {"enforcementLevel": _level_name(el) if el else None, "properties": v or None}
            else:
                initial[k] = {"enforcementLevel": _level_name(v), "properties": None}
        apply(initial)
    apply(given)

    errors: list[str] = []
    for name, schema in schemas.items():
        doc = dict((result.get(name) or {}).get("properties") or {})
        validator = jsonschema.Draft7Validator(schema)
        for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.path)):
            loc = "/".join(str(p) for p in err.absolute_path)
            errors.append(f"{name}: {loc + ': ' if loc else ''}{err.message}")
    if errors:
        raise PreviewError(
            f"{where or 'policy config'}: invalid configuration for policy pack {pack.name}: {errors[0]}"
            + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")
        )
    return result


# --------------------------------------------------------------------------------------------------
# Running the analyzer


def _servicer(pack: LoadedPack) -> Any:
    from pulumi_policy.policy import _PolicyAnalyzerServicer

    return _PolicyAnalyzerServicer(
        pack.name,
        pack.version,
        pack.policies,
        pack.enforcement_level,
        pack.initial_config,
        pack.kwargs.get("description"),
        pack.kwargs.get("display_name"),
        pack.kwargs.get("readme"),
        pack.kwargs.get("provider"),
        pack.kwargs.get("tags"),
        pack.kwargs.get("repository"),
    )


_LEVELS = {0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate"}
_SEVERITIES = {0: "unspecified", 1: "low", 2: "medium", 3: "high", 4: "critical"}


def _struct(value: Mapping[str, Any]) -> Any:
    from google.protobuf import struct_pb2

    s = struct_pb2.Struct()
    s.update({k: v for k, v in value.items() if not k.startswith("__")})
    return s


def _requests(result: PreviewResult) -> tuple[list[Any], list[Any]]:
    """One AnalyzeRequest per resource and the AnalyzeStack resources, built once for all packs."""
    from pulumi.runtime.proto import analyzer_pb2 as proto

    by_urn = {r.urn: r for r in result.resources}
    provider_msgs: dict[str, Any] = {}

    def provider_msg(res: RecordedResource) -> Any:
        if not res.provider or res.provider not in by_urn:
            return None
        if res.provider not in provider_msgs:
            p = by_urn[res.provider]
            provider_msgs[res.provider] = proto.AnalyzerProviderResource(
                type=p.type, properties=_struct(p.wire), urn=p.urn, name=p.name
            )
        return provider_msgs[res.provider]

    singles: list[Any] = []
    stack: list[Any] = []
    for res in result.resources:
        props = _struct(res.wire)
        opts = proto.AnalyzerResourceOptions(
            protect=bool(res.options.get("protect")),
            ignoreChanges=list(res.options.get("ignoreChanges") or []),
            deleteBeforeReplace=bool(res.options.get("deleteBeforeReplace")),
            deleteBeforeReplaceDefined="deleteBeforeReplace" in res.options,
            additionalSecretOutputs=list(res.options.get("additionalSecretOutputs") or []),
            aliases=[a for a in res.options.get("aliases") or [] if isinstance(a, str)],
            parent=res.parent or "",
        )
        prov = provider_msg(res)
        kwargs: dict[str, Any] = {
            "urn": res.urn,
            "type": res.type,
            "name": res.name,
            "properties": props,
            "options": opts,
        }
        if prov is not None:
            kwargs["provider"] = prov
        singles.append(proto.AnalyzeRequest(**kwargs))
        stack.append(
            proto.AnalyzerResource(
                **kwargs,
                parent=res.parent or "",
                dependencies=res.dependencies,
                propertyDependencies={
                    k: proto.AnalyzerPropertyDependencies(urns=v)
                    for k, v in res.property_dependencies.items()
                    if v
                },
            )
        )
    return singles, stack


@contextmanager
def _analyzer_environment() -> Iterator[None]:
    """pulumi-policy reconfigures the runtime from PULUMI_* variables; keep the host's out of it."""
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("PULUMI_")}
    try:
        yield
    finally:
        os.environ.update(saved)


@contextmanager
def _memoized_message_to_dict() -> Iterator[None]:
    """Convert each request's properties to a dict once, not once per policy.

    pulumi-policy's analyzer calls ``json_format.MessageToDict(request.properties)``
    inside its loop over policies (and, in ``AnalyzeStack``, for every resource of
    every stack policy). The requests are built once and never change during the
    analysis, and ``deserialize_properties`` copies what it is given, so the result
    can be shared: same dicts, same diagnostics, a fraction of the time. Only the
    analyzer module's reference to ``json_format`` is swapped, for this analysis.
    """
    import types

    import pulumi_policy.policy as policy_module
    from google.protobuf import json_format

    cache: dict[int, tuple[Any, dict[str, Any]]] = {}

    def message_to_dict(message: Any, **kwargs: Any) -> dict[str, Any]:
        if kwargs:
            return dict(json_format.MessageToDict(message, **kwargs))
        hit = cache.get(id(message))
        if hit is not None and hit[0] is message:
            return hit[1]
        value = dict(json_format.MessageToDict(message))
        cache[id(message)] = (message, value)
        return value

    shim = types.SimpleNamespace(
        **{k: getattr(json_format, k) for k in dir(json_format) if not k.startswith("__")}
    )
    shim.MessageToDict = message_to_dict
    saved = policy_module.json_format  # type: ignore[attr-defined]
    policy_module.json_format = shim  # type: ignore[attr-defined]
    try:
        yield
    finally:
        policy_module.json_format = saved  # type: ignore[attr-defined]


def analyze(
    result: PreviewResult,
    packs: Sequence[LoadedPack],
    policy_config: str | Path | Mapping[str, Any] | None,
    stack_config: StackConfig | None = None,
) -> None:
    """Run every pack over the recorded resources; fill ``result.violations`` and ``policy_packs``."""
    from pulumi.runtime.proto import analyzer_pb2 as proto

    if not packs:
        return
    given, where = load_policy_config(policy_config)
    singles, stack_resources = _requests(result)
    seen: set[tuple[str, str, str, str]] = set()
    with _analyzer_environment(), _memoized_message_to_dict():
        for pack in packs:
            servicer = _servicer(pack)
            reconciled = reconcile(pack, given, where)
            policy_config_msgs = {}
            for name, cfg in reconciled.items():
                level = cfg.get("enforcementLevel") or "advisory"
                msg = proto.PolicyConfig(enforcementLevel=_level_value(proto, level))  # type: ignore[arg-type]
                if cfg.get("properties"):
                    msg.properties.update(cfg["properties"])
                policy_config_msgs[name] = msg
            servicer.Configure(proto.ConfigureAnalyzerRequest(policyConfig=policy_config_msgs), None)
            result.policy_packs.append((pack.name, pack.version))
            diagnostics: list[tuple[Any, str]] = []
            for req in singles:
                resp = servicer.Analyze(req, None)
                diagnostics.extend((d, req.urn) for d in resp.diagnostics)
            resp = servicer.AnalyzeStack(proto.AnalyzeStackRequest(resources=stack_resources), None)
            diagnostics.extend((d, "") for d in resp.diagnostics)
            for d, default_urn in diagnostics:
                v = Violation(
                    policy=d.policyName,
                    pack=pack.name,
                    urn=d.urn or default_urn,
                    message=d.message,
                    enforcement=_LEVELS.get(d.enforcementLevel, "advisory"),
                    severity=_SEVERITIES.get(d.severity, "unspecified"),
                )
                key = (v.policy, v.pack, v.urn, v.message)
                if key not in seen:
                    seen.add(key)
                    result.violations.append(v)


def _level_value(proto: Any, level: str) -> int:
    return int(
        {
            "advisory": proto.ADVISORY,
            "mandatory": proto.MANDATORY,
            "remediate": proto.REMEDIATE,
            "disabled": proto.DISABLED,
        }[level]
    )
