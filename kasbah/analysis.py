"""Policy packs, run in-process through pulumi-policy's own analyzer.

The real CLI starts each pack's ``__main__.py`` (which builds a ``PolicyPack`` and serves
pulumi-policy's analyzer over gRPC) and then calls, for each pack: ``GetAnalyzerInfo``,
``ConfigureStack`` (stack, project, organization, tags, dry run; the config reaches the
pack's process as ``PULUMI_CONFIG``), ``Configure`` with the reconciled policy-pack config,
then per registered resource ``Remediate`` (every pack in order, each seeing the previous
one's result) and ``Analyze``, and ``AnalyzeStack`` once at the end on every resource's
outputs. This module makes the same calls on the same analyzer class, without gRPC:

- the pack's ``__main__.py`` runs with pulumi-policy's ``PolicyPack`` intact (so its own
  checks run: an invalid pack name is refused as the CLI refuses it) but with the analyzer
  class captured instead of served;
- configuration is reconciled as the CLI does (``ReconcilePolicyPackConfig``) and validated
  against each policy's config schema;
- the version in ``PulumiPolicy.yaml`` wins over the pack's, as in the CLI;
- a policy that declares the types it reads is handed only those (``kasbah.dispatch``), with
  identical results and a fraction of the cost.

Whatever a pack does wrong (an exception, ``sys.exit``, ``os._exit``, a validator that
raises) is one clear error naming the pack and the policy: exit 2, never a silent pass.

pulumi-policy is pinned exactly in pyproject.toml: ``_PolicyAnalyzerServicer`` is private.
"""

from __future__ import annotations

import copy
import json
import os
import runpy
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kasbah import policy_url
from kasbah.dispatch import TypeDispatch, probe_request
from kasbah.engine.guards import ExitCalled, RunTimeout, no_process_exit
from kasbah.engine.model import (
    ENGINE_PACK,
    STACK_TYPE,
    Exempted,
    PolicyDescription,
    PreviewResult,
    RecordedResource,
    Remediation,
    Violation,
    mask_text,
)
from kasbah.engine.monitor import resource_outputs
from kasbah.engine.shapes import input_view, plain
from kasbah.errors import PreviewError
from kasbah.project import StackConfig
from kasbah.yamlgo import load as yaml_load
from kasbah.yamlgo import read_text
from policies.framework.exemptions import ExemptedFinding, collect_exempted
from policies.framework.meta import PolicyMeta

POLICIES_DIR = Path(__file__).resolve().parent.parent / "policies"
COMPUTED_ABSENT = "absent"
COMPUTED_UNKNOWN = "unknown"
COMPUTED_OUTPUTS = (COMPUTED_UNKNOWN, COMPUTED_ABSENT)
"""How ``AnalyzeStack`` shows a custom resource's computed outputs the program did not set:
``unknown`` (the default) as the CLI sends them (a policy reading one reports that it cannot
decide), or ``absent``: the resource's inputs in its output shape, computed values left out,
to see what a pack written against inputs would decide (see the README's parity table)."""
COMPUTED_DEFAULT = COMPUTED_UNKNOWN
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


@dataclass(frozen=True)
class StackContext:
    """What the CLI tells every pack about the stack (``AnalyzerStackConfigureRequest`` and env)."""

    project: str
    stack: str
    organization: str = "organization"
    config: StackConfig = field(default_factory=StackConfig)
    tags: Mapping[str, str] = field(default_factory=dict)
    dry_run: bool = True


class _Captured(BaseException):
    def __init__(self, args: tuple[Any, ...]) -> None:
        super().__init__("captured")
        self.args_ = args


class _CapturingServicer:
    """Stands in for pulumi-policy's analyzer servicer: ``PolicyPack`` validates, then we capture."""

    def __init__(self, *args: Any) -> None:
        raise _Captured(args)


def discover_packs(root: Path = POLICIES_DIR) -> list[Path]:
    """Every directory under ``root`` holding a PulumiPolicy.yaml, sorted."""
    if not root.is_dir():
        return []
    return sorted(p.parent for p in root.glob("*/PulumiPolicy.yaml"))


@contextmanager
def _captured_servicer() -> Iterator[None]:
    import pulumi_policy.policy as policy_module

    saved = policy_module._PolicyAnalyzerServicer
    policy_module._PolicyAnalyzerServicer = _CapturingServicer  # type: ignore[misc,assignment]
    try:
        yield
    finally:
        policy_module._PolicyAnalyzerServicer = saved  # type: ignore[misc]


def _pack_exit(what: str, exc: BaseException) -> str:
    if isinstance(exc, ExitCalled):
        return f"{what} called os._exit({exc.code})"
    if isinstance(exc, SystemExit):
        return (
            f"{what} called sys.exit({exc.code!r})" if exc.code is not None else f"{what} called sys.exit()"
        )
    return f"{what} raised {type(exc).__name__}"


def load_pack(path: str | Path) -> LoadedPack:
    """Load a policy pack directory by running its ``__main__.py`` with a captured analyzer."""
    path = Path(path).resolve()
    meta_file = path / "PulumiPolicy.yaml"
    if not meta_file.exists():
        raise PreviewError(f"{path}: not a policy pack (no PulumiPolicy.yaml)")
    meta = yaml_load(meta_file, read_text(meta_file)) or {}
    if not isinstance(meta, dict):
        raise PreviewError(f"{meta_file}: expected a mapping at the top level")
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
        with _captured_servicer(), no_process_exit():
            runpy.run_path(str(entry), run_name="__main__")
    except _Captured as cap:
        args = cap.args_
    except KeyboardInterrupt:
        raise
    except PreviewError:
        raise
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [""])[0]
        raise PreviewError(
            f"{entry}: the policy pack failed to load: {type(exc).__name__}" + (f": {first}" if first else "")
        ) from None
    except BaseException as exc:
        raise PreviewError(
            f"{entry}: {_pack_exit('the policy pack', exc)} while loading (no policy ran)"
        ) from None
    else:
        raise PreviewError(f"{entry}: the policy pack never constructed a PolicyPack")
    finally:
        sys.path[:] = old_path
    names = [
        "name",
        "version",
        "policies",
        "enforcement_level",
        "initial_config",
        "description",
        "display_name",
        "readme",
        "provider",
        "tags",
        "repository",
    ]
    bound = dict(zip(names, args, strict=False))
    return LoadedPack(
        name=str(bound["name"]),
        version=str(meta.get("version") or bound.get("version") or "0.0.1"),
        path=path,
        policies=list(bound["policies"]),
        enforcement_level=bound["enforcement_level"],
        initial_config=bound.get("initial_config"),
        kwargs={k: v for k, v in bound.items() if k not in names[:5]},
    )


def load_packs(paths: Sequence[str | Path] | None) -> list[LoadedPack]:
    """``None``: every pack shipped with Kasbah; otherwise the given pack directories."""
    dirs = discover_packs() if paths is None else [Path(p) for p in paths]
    return [load_pack(p) for p in dirs]


# --------------------------------------------------------------------------------------------------
# Configuration, reconciled as the CLI does

PolicyConfigSource = str | Path | Mapping[str, Any] | None


def parse_policy_config(data: Any, where: str) -> dict[str, dict[str, Any]]:
    """Parse a ``--policy-pack-config`` document: ``{name: level | {enforcementLevel?, props...}}``.

    pulumi/pulumi ``pkg/resource/analyzer/config.go`` (``parsePolicyPackConfig``): a string is an
    enforcement level; an object may carry ``enforcementLevel`` and properties; an entry with
    neither is skipped; ``environments`` names Pulumi ESC environments.
    """
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PreviewError(f"{where}: policy config must be a JSON object")
    if "environments" in data:
        raise PreviewError(
            f"{where}: 'environments' (Pulumi ESC environments) cannot be resolved offline. "
            "Fix: inline the configuration in the file."
        )
    result: dict[str, dict[str, Any]] = {}
    for key, value in data.items():
        level: str | None = None
        props: dict[str, Any] | None = None
        if isinstance(value, str):
            if value not in ENFORCEMENT_LEVELS:
                raise PreviewError(
                    f"{where}: parsing enforcement level for {key!r}: {value!r} is not a valid enforcement level"
                )
            level = value
        elif isinstance(value, dict):
            value = dict(value)
            if "enforcementLevel" in value:
                el = value.pop("enforcementLevel")
                if not isinstance(el, str):
                    raise PreviewError(
                        f"{where}: parsing enforcement level for {key!r}: {el!r} is not a valid enforcement "
                        "level; must be a string"
                    )
                if el not in ENFORCEMENT_LEVELS:
                    raise PreviewError(
                        f"{where}: parsing enforcement level for {key!r}: {el!r} is not a valid enforcement level"
                    )
                level = el
            props = value or None
        else:
            raise PreviewError(
                f"{where}: parsing {key!r}: {value!r} is not a valid value; must be a string or object"
            )
        if level is None and not props:
            continue
        result[key] = {"enforcementLevel": level, "properties": props}
    return result


def load_policy_config(source: PolicyConfigSource) -> tuple[dict[str, dict[str, Any]], str]:
    if source is None:
        return {}, ""
    if isinstance(source, Mapping):
        return parse_policy_config(copy.deepcopy(dict(source)), "policy config"), "policy config"
    path = Path(source)
    text = read_text(path, what="policy config")
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


def _initial_config(pack: LoadedPack) -> dict[str, dict[str, Any]]:
    """The pack's ``initial_config`` as the CLI receives it through ``GetAnalyzerInfo``.

    pulumi-policy sends each entry as a ``PolicyConfig`` message; an entry that sets no
    ``enforcementLevel`` leaves the enum at its zero value, ADVISORY, and the CLI reads it as
    advisory (pulumi/pulumi ``pkg/resource/plugin/analyzer_plugin.go``, ``convertPolicyConfig``):
    such an entry makes its policy advisory, whatever the policy's own level.
    """
    initial: dict[str, dict[str, Any]] = {}
    for k, v in (pack.initial_config or {}).items():
        if isinstance(v, dict):
            v = dict(v)
            el = v.pop("enforcementLevel", None)
            initial[k] = {"enforcementLevel": _level_name(el) if el else "advisory", "properties": v or None}
        else:
            initial[k] = {"enforcementLevel": _level_name(v), "properties": None}
    return initial


def reconcile(pack: LoadedPack, given: Mapping[str, dict[str, Any]], where: str) -> dict[str, dict[str, Any]]:
    """``ReconcilePolicyPackConfig``: defaults, then initial config, then the file; then validate.

    pulumi/pulumi ``pkg/resource/analyzer/config.go``. Then ``Configure`` refuses any entry
    left without a valid enforcement level (``analyzer_plugin.go``): a key that names no
    policy of the pack and sets no level is refused, as the CLI refuses it.
    """
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
        if schema is not None:
            full: dict[str, Any] = {"type": "object"}
            if schema.properties:
                full["properties"] = dict(schema.properties)
            if schema.required:
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

    apply(_initial_config(pack))
    apply(given)

    errors: list[str] = []
    for name, schema in schemas.items():
        doc = dict((result.get(name) or {}).get("properties") or {})
        try:
            jsonschema.Draft7Validator.check_schema(schema)
        except jsonschema.SchemaError as exc:
            raise PreviewError(
                f"policy pack {pack.name}: policy {name} has an invalid config schema: {exc.message}"
            ) from None
        validator = jsonschema.Draft7Validator(schema)
        for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.path)):
            loc = "/".join(str(p) for p in err.absolute_path)
            errors.append(f"{name}: {loc + ': ' if loc else ''}{err.message}")
    if errors:
        raise PreviewError(
            f"{where or 'policy config'}: invalid configuration for policy pack {pack.name}: {errors[0]}"
            + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")
        )
    known = {p.name for p in pack.policies}
    for name, cfg in result.items():
        if cfg.get("enforcementLevel") not in ENFORCEMENT_LEVELS:
            what = "names no policy of the pack" if name not in known and name != "all" else "has no level"
            raise PreviewError(
                f"{where or 'policy config'}: policy pack {pack.name}: {name!r} {what} and sets no "
                'enforcementLevel (the Pulumi CLI refuses it: invalid enforcement level ""). '
                f"Fix: use one of the pack's policy names ({_names_hint(known, name)}), or add an enforcementLevel."
            )
    return result


def _names_hint(known: set[str], name: str) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f"did you mean {close[0]!r}?" if close else f"{len(known)} policies; see POLICIES.md"


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
    """A property map as the engine marshals it to analyzers (``SkipInternalKeys``, references plain)."""
    from google.protobuf import struct_pb2

    s = struct_pb2.Struct()
    s.update({k: plain(v) for k, v in value.items() if not k.startswith("__")})
    return s


def _options(proto: Any, res: RecordedResource) -> Any:
    opts = proto.AnalyzerResourceOptions(
        protect=bool(res.options.get("protect")),
        ignoreChanges=list(res.options.get("ignoreChanges") or []),
        deleteBeforeReplace=bool(res.options.get("deleteBeforeReplace")),
        deleteBeforeReplaceDefined="deleteBeforeReplace" in res.options,
        additionalSecretOutputs=list(res.options.get("additionalSecretOutputs") or []),
        aliases=[a for a in res.options.get("aliases") or [] if isinstance(a, str)],
        parent=res.parent or "",
    )
    # Always set, in seconds (analyzer_plugin.go, marshalResourceOptions).
    timeouts = res.options.get("customTimeouts") or {}
    opts.customTimeouts.create = float(timeouts.get("create", 0))
    opts.customTimeouts.update = float(timeouts.get("update", 0))
    opts.customTimeouts.delete = float(timeouts.get("delete", 0))
    return opts


class _Requests:
    """The analyzer requests of one preview, built once and shared by every pack."""

    def __init__(self, result: PreviewResult, computed_outputs: str = COMPUTED_DEFAULT) -> None:
        from pulumi.runtime.proto import analyzer_pb2 as proto

        self.proto = proto
        self.result = result
        self.computed_outputs = computed_outputs
        self.by_urn = {r.urn: r for r in result.resources}
        self._providers: dict[str, Any] = {}

    def provider(self, res: RecordedResource) -> Any:
        if not res.provider or res.provider not in self.by_urn:
            return None
        if res.provider not in self._providers:
            p = self.by_urn[res.provider]
            self._providers[res.provider] = self.proto.AnalyzerProviderResource(
                type=p.type, properties=_struct(p.wire), urn=p.urn, name=p.name
            )
        return self._providers[res.provider]

    def _kwargs(self, res: RecordedResource, properties: Mapping[str, Any]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "urn": res.urn,
            "type": res.type,
            "name": res.name,
            "properties": _struct(properties),
            "options": _options(self.proto, res),
        }
        prov = self.provider(res)
        if prov is not None:
            kwargs["provider"] = prov
        return kwargs

    def analyze(self, res: RecordedResource) -> Any:
        """``Analyze`` sees the inputs (after Check and remediations)."""
        return self.proto.AnalyzeRequest(**self._kwargs(res, res.wire))

    def remediate(self, res: RecordedResource) -> Any:
        return self.proto.AnalyzeRequest(**self._kwargs(res, res.wire))

    def stack(self) -> list[Any]:
        """``AnalyzeStack`` sees every resource's outputs (the stack's are the stack outputs)."""
        out = []
        for res in self.result.resources:
            if res.outputs is None:
                props: Mapping[str, Any] = res.wire if res.custom else {}
            elif res.custom and not res.read and self.computed_outputs == COMPUTED_ABSENT:
                props = input_view(res.wire, res.outputs)
            else:
                props = res.outputs
            out.append(
                self.proto.AnalyzerResource(
                    **self._kwargs(res, props),
                    parent=res.parent or "",
                    dependencies=res.dependencies,
                    propertyDependencies={
                        k: self.proto.AnalyzerPropertyDependencies(urns=v)
                        for k, v in res.property_dependencies.items()
                        if v
                    },
                )
            )
        return out


@contextmanager
def _stack_runtime(context: StackContext) -> Iterator[None]:
    """The environment the CLI gives a pack's process, and the runtime settings it derives.

    pulumi/pulumi ``analyzer_plugin.go`` (``constructEnv``): ``PULUMI_CONFIG`` (the stack's
    config, secrets decrypted: offline they stay placeholders), ``PULUMI_PROJECT``,
    ``PULUMI_STACK``, ``PULUMI_ORGANIZATION``, ``PULUMI_DRY_RUN``. pulumi-policy's
    ``_configure_runtime_settings`` reads them before every call; it runs once here (the
    values never change during one analysis) and the host's runtime is restored afterwards.
    """
    import pulumi_policy.policy as policy_module
    from pulumi.runtime import config as runtime_config
    from pulumi.runtime import settings

    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("PULUMI_")}
    os.environ["PULUMI_CONFIG"] = json.dumps(context.config.runtime_values(), sort_keys=True)
    os.environ["PULUMI_PROJECT"] = context.project
    os.environ["PULUMI_STACK"] = context.stack
    os.environ["PULUMI_ORGANIZATION"] = context.organization
    os.environ["PULUMI_DRY_RUN"] = "true" if context.dry_run else "false"
    servicer_cls = policy_module._PolicyAnalyzerServicer
    original = servicer_cls._configure_runtime_settings
    try:
        settings.reset_options()
        runtime_config.set_all_config({}, [])
        original(None)  # type: ignore[arg-type,no-untyped-call]
        servicer_cls._configure_runtime_settings = lambda self: None  # type: ignore[method-assign]
        yield
    finally:
        servicer_cls._configure_runtime_settings = original  # type: ignore[method-assign]
        for k in [k for k in os.environ if k.startswith("PULUMI_")]:
            del os.environ[k]
        os.environ.update(saved)
        runtime_config.set_all_config({}, [])
        settings.reset_options()


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


class PolicyFailed(BaseException):
    """A policy's validate or remediate callback failed (raised past pulumi-policy's own handlers)."""

    def __init__(self, policy: str, exc: BaseException) -> None:
        super().__init__(policy)
        self.policy = policy
        self.exc = exc


def _guarded(policy: Any, method: str, current: dict[str, str]) -> None:
    """Wrap one callback of a policy so that any failure names the policy (pulumi-policy's
    ``UnknownValueError`` and not-applicable signals pass through untouched)."""
    from pulumi_policy.policy import _NotApplicableError
    from pulumi_policy.proxy import UnknownValueError

    original: Callable[..., Any] = getattr(policy, method)
    passthrough = (UnknownValueError, _NotApplicableError, KeyboardInterrupt, RunTimeout, PolicyFailed)

    def call(*args: Any) -> Any:
        current["policy"] = policy.name
        try:
            result = original(*args)
        except passthrough:
            raise
        except BaseException as exc:
            raise PolicyFailed(policy.name, exc) from None
        if hasattr(result, "__await__"):

            async def awaited() -> Any:
                try:
                    return await result
                except passthrough:
                    raise
                except BaseException as exc:
                    raise PolicyFailed(policy.name, exc) from None

            return awaited()
        return result

    setattr(policy, method, call)


def _describe_failure(exc: BaseException) -> str:
    if isinstance(exc, ExitCalled):
        return f"called os._exit({exc.code})"
    if isinstance(exc, SystemExit):
        return f"called sys.exit({exc.code!r})"
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"raised {type(exc).__name__}" + (f": {first}" if first else "")


def _configs_for(
    packs: Sequence[LoadedPack], policy_config: PolicyConfigSource | Sequence[PolicyConfigSource]
) -> list[tuple[dict[str, dict[str, Any]], str]]:
    """One parsed config per pack: a list gives one per pack in order (the CLI's
    ``--policy-pack-config``), a single source applies to every pack."""
    if isinstance(policy_config, list | tuple):
        if len(policy_config) != len(packs):
            raise PreviewError(
                f"{len(policy_config)} policy configs for {len(packs)} policy packs: the number of "
                "--policy-pack-config flags must match the number of --policy-pack flags"
            )
        return [load_policy_config(src) for src in policy_config]
    loaded = load_policy_config(policy_config)  # type: ignore[arg-type]
    return [loaded for _ in packs]


def analyze(
    result: PreviewResult,
    packs: Sequence[LoadedPack],
    policy_config: PolicyConfigSource | Sequence[PolicyConfigSource],
    stack_config: StackConfig | None = None,
    context: StackContext | None = None,
    computed_outputs: str = COMPUTED_DEFAULT,
    on_resource: Callable[[int], None] | None = None,
) -> None:
    """Run every pack over the recorded resources; fill ``violations``, ``remediations``, ``policy_packs``.

    ``on_resource(1)`` is called after each resource is analyzed (progress)."""
    from pulumi.runtime.proto import analyzer_pb2 as proto

    if not packs:
        return
    context = context or StackContext(result.project, result.stack, config=stack_config or StackConfig())
    configs = _configs_for(packs, policy_config)
    reconciled = [reconcile(pack, given, where) for pack, (given, where) in zip(packs, configs, strict=True)]
    all_policies = {p.name for pack in packs for p in pack.policies} | {"all"}
    for (given, where), _pack in zip(configs, packs, strict=True):
        for name in sorted(set(given) - all_policies):
            note = f"{where or 'policy config'}: {name!r} names no policy of any loaded pack (ignored, as the CLI does)"
            if note not in result.warnings:
                result.warnings.append(note)
    if computed_outputs not in COMPUTED_OUTPUTS:
        raise PreviewError(f"--computed-outputs {computed_outputs!r}: one of {', '.join(COMPUTED_OUTPUTS)}")
    requests = _Requests(result, computed_outputs)
    diagnostics: list[tuple[LoadedPack, Any, str]] = []
    current = {"pack": "", "policy": ""}
    result.warnings[:] = [w for w in result.warnings if not w.startswith("interrupted in policy pack")]
    try:
        with (
            _stack_runtime(context),
            _memoized_message_to_dict(),
            no_process_exit(),
            collect_exempted() as exempted,
        ):
            servicers = []
            dispatches: dict[int, TypeDispatch] = {}
            for pack, cfg in zip(packs, reconciled, strict=True):
                current["pack"] = pack.name
                for policy in pack.policies:
                    for method in ("validate", "remediate"):
                        if callable(getattr(policy, method, None)):
                            _guarded(policy, method, current)
                servicer = _servicer(pack)
                servicer.ConfigureStack(
                    proto.AnalyzerStackConfigureRequest(
                        stack=context.stack,
                        project=context.project,
                        organization=context.organization,
                        dry_run=context.dry_run,
                        tags=dict(context.tags),
                        config=context.config.runtime_values(),
                        config_secret_keys=sorted(context.config.secret_keys),
                    ),
                    None,
                )
                msgs = {}
                for name, c in cfg.items():
                    msg = proto.PolicyConfig(enforcementLevel=_level_value(proto, c["enforcementLevel"]))  # type: ignore[arg-type]
                    if c.get("properties"):
                        msg.properties.update(c["properties"])
                    msgs[name] = msg
                servicer.Configure(proto.ConfigureAnalyzerRequest(policyConfig=msgs), None)
                result.policies.extend(describe_policies(pack, cfg))
                remediating = any(c.get("enforcementLevel") == "remediate" for c in cfg.values())
                servicers.append((pack, servicer, remediating))
                dispatches[id(servicer)] = TypeDispatch(servicer)
                result.policy_packs.append((pack.name, pack.version))
            for res in result.resources:
                if res.read:
                    continue  # read resources are not analyzed (the engine's read steps skip analyzers)
                for pack, servicer, remediating in servicers:
                    if remediating:
                        current["pack"] = pack.name
                        _remediate(result, requests, pack, servicer, res)
                for pack, servicer, _ in servicers:
                    current["pack"] = pack.name
                    dispatch = dispatches[id(servicer)]
                    probed = dispatch.probe_policies()
                    if probed:  # what the skipped calls would have refused: a bad configuration
                        with dispatch.only(probed):
                            servicer.Analyze(probe_request(proto), None)
                    with dispatch.only(dispatch.for_resource(res.type)):
                        resp = servicer.Analyze(requests.analyze(res), None)
                    diagnostics.extend((pack, d, res.urn) for d in resp.diagnostics)
                if on_resource is not None:
                    on_resource(1)
            everything = requests.stack()
            for pack, servicer, _ in servicers:
                current["pack"] = pack.name
                dispatch = dispatches[id(servicer)]
                found: list[tuple[str, Any]] = []
                for policies, wanted in dispatch.stack_groups():
                    members = everything if wanted is None else [r for r in everything if r.type in wanted]
                    with dispatch.only(policies):
                        resp = servicer.AnalyzeStack(proto.AnalyzeStackRequest(resources=members), None)
                    found.extend((d.policyName, d) for d in resp.diagnostics)
                diagnostics.extend((pack, d, "") for d in dispatch.sort_stack_diagnostics(found))
    except PolicyFailed as failed:
        raise PreviewError(
            f"policy pack {current['pack']}: policy {failed.policy} {_describe_failure(failed.exc)}"
        ) from None
    except (KeyboardInterrupt, RunTimeout):
        if current["policy"]:
            result.warnings.append(
                f"interrupted in policy pack {current['pack']}, policy {current['policy']}"
            )
        raise
    except PreviewError:
        raise
    except BaseException as exc:
        raise PreviewError(f"policy pack {current['pack']}: the analyzer {_describe_failure(exc)}") from None
    _collect(result, diagnostics)
    _collect_exempted(result, packs, exempted)


def describe_policies(pack: LoadedPack, cfg: Mapping[str, dict[str, Any]]) -> list[PolicyDescription]:
    """Every policy of a pack as reports describe it: Kasbah's metadata when the policy carries it
    (``policies.framework``), else pulumi-policy's own fields (description, severity, compliance)."""
    out = []
    for policy in pack.policies:
        meta = getattr(policy, "meta", None)
        references: tuple[str, ...]
        if isinstance(meta, PolicyMeta):
            references = tuple(r.tag() for r in meta.references)
            remediation = meta.remediation
        else:
            fw = getattr(policy, "framework", None)
            primary = (
                f"{fw.name} {fw.version}: {fw.reference}".replace("  ", " ").strip()
                if fw is not None and getattr(fw, "name", None)
                else ""
            )
            references = tuple(r for r in (primary, *(getattr(policy, "tags", None) or [])) if r)
            remediation = str(getattr(policy, "remediation_steps", None) or "")
        severity = getattr(policy, "severity", None)
        out.append(
            PolicyDescription(
                pack=pack.name,
                policy=policy.name,
                description=" ".join(str(policy.description or "").split()),
                severity=str(getattr(severity, "value", severity) or "unspecified"),
                enforcement=str(cfg.get(policy.name, {}).get("enforcementLevel") or "advisory"),
                remediation=" ".join(remediation.split()),
                references=references,
                url=str(getattr(policy, "url", None) or "")
                or (policy_url(policy.name) if pack.path.parent == POLICIES_DIR else ""),
            )
        )
    return out


def _collect_exempted(
    result: PreviewResult, packs: Sequence[LoadedPack], exempted: Sequence[ExemptedFinding]
) -> None:
    """Findings that valid exemptions hid, attributed to the pack holding the policy."""
    owner = {p.name: pack.name for pack in packs for p in pack.policies}
    seen = set()
    for f in exempted:
        key = (f.policy, f.urn, f.message)
        if key in seen:
            continue
        seen.add(key)
        result.exempted.append(
            Exempted(
                policy=f.policy,
                pack=owner.get(f.policy, ""),
                urn=f.urn,
                message=mask_text(f.message, result.secrets),
                reason=f.reason,
                expires=f.expires.isoformat(),
                target=f.target,
            )
        )
    result.exempted.sort(key=lambda e: (e.pack, e.policy, e.urn))


def _remediate(
    result: PreviewResult, requests: _Requests, pack: LoadedPack, servicer: Any, res: RecordedResource
) -> None:
    """``Remediate`` then apply the new properties: later packs and the analysis see them.

    pulumi/pulumi ``step_generator.go``: remediations run pack by pack, in order, before any
    analysis; a remediation's diagnostic is reported as an advisory violation.
    """
    from google.protobuf import json_format

    resp = servicer.Remediate(requests.remediate(res), None)
    for rem in resp.remediations:
        if rem.diagnostic:
            result.violations.append(
                Violation(rem.policyName, pack.name, res.urn, rem.diagnostic, "advisory", "unspecified")
            )
            continue
        if not rem.HasField("properties"):
            continue
        new = json_format.MessageToDict(rem.properties)
        changed = tuple(sorted(k for k in set(new) | set(res.wire) if new.get(k) != res.wire.get(k)))
        res.wire = new
        if res.custom:
            provider = requests.by_urn.get(res.provider or "")
            res.outputs = resource_outputs(res.type, new, provider.wire if provider else {})
        result.remediations.append(Remediation(rem.policyName, pack.name, res.urn, changed))


def _collect(result: PreviewResult, diagnostics: Sequence[tuple[LoadedPack, Any, str]]) -> None:
    seen = {(v.policy, v.pack, v.urn, v.message) for v in result.violations}
    for pack, d, default_urn in diagnostics:
        v = Violation(
            policy=d.policyName,
            pack=pack.name,
            urn=d.urn or default_urn,
            message=mask_text(d.message, result.secrets),
            enforcement=_LEVELS.get(d.enforcementLevel, "advisory"),
            severity=_SEVERITIES.get(d.severity, "unspecified"),
        )
        key = (v.policy, v.pack, v.urn, v.message)
        if key not in seen:
            seen.add(key)
            result.violations.append(v)
    result.violations.sort(key=lambda v: (v.pack, v.policy, v.urn, v.message, v.enforcement))


def remote_component_advisories(result: PreviewResult) -> None:
    """One advisory per remote component the run continued without (``--allow-remote-components``)."""
    for res in result.resources:
        if res.remote:
            result.violations.append(
                Violation(
                    policy="remote-component-not-expanded",
                    pack=ENGINE_PACK,
                    urn=res.urn,
                    message=(
                        f"{res.type} is a multi-language (remote) component: its children are created by its "
                        "provider's Construct, which cannot run offline, so none of them was analyzed."
                    ),
                    enforcement="advisory",
                    severity="unspecified",
                )
            )


def unknown_invoke_advisories(result: PreviewResult) -> None:
    """One advisory per invoke answered with unknown values (``--unknown-invokes``), on the stack."""
    stack = next((r.urn for r in result.resources if r.type == STACK_TYPE), "")
    for token in result.unknown_invokes:
        result.violations.append(
            Violation(
                policy="invoke-answered-unknown",
                pack=ENGINE_PACK,
                urn=stack,
                message=(
                    f"invoke {token} has no canned answer offline and returned unknown values "
                    "(--unknown-invokes): what the program built from it is unknown, and policies that read "
                    "it could not decide."
                ),
                enforcement="advisory",
                severity="unspecified",
            )
        )


def _level_value(proto: Any, level: str) -> int:
    return int(
        {
            "advisory": proto.ADVISORY,
            "mandatory": proto.MANDATORY,
            "remediate": proto.REMEDIATE,
            "disabled": proto.DISABLED,
        }[level]
    )
