"""The offline preview engine.

Runs a Pulumi Python program under Pulumi's mock runtime in preview mode, with
no CLI, plugin or credentials, and records what the real engine would see:
every resource's URN, type, name, parent, inputs, provider, options,
dependencies and property dependencies, plus the stack outputs. Then it runs
policy packs through pulumi-policy's own analyzer (see :mod:`kasbah.analysis`).

Fidelity to ``pulumi preview`` where policies can tell the difference:

- URNs are formed as the engine forms them: the qualified type is the full
  chain of ancestor types (``a:b:C$d:e:F$aws:s3/bucket:Bucket``), never
  starting with the stack's type (the SDK's own mock monitor keeps only the
  last ancestor and prefixes children of the stack with the stack type).
- Resources without an explicit provider get the default provider the engine
  would build from stack config (``aws:region`` -> ``region``), named
  ``default_<version>``; policies receive it as ``args.provider``.
- The AWS provider's ``defaultTags`` are merged into ``tagsAll`` (the
  provider-side Check step), for every resource type that has ``tagsAll``.
- Values computed by the cloud are unknown, as in a preview of a create.

Differences that remain are listed in the README ("Offline engine: known differences").
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import json
import os
import runpy
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kasbah import invokes
from kasbah.errors import PreviewError
from kasbah.project import SECRET_PLACEHOLDER, Project, StackConfig, load_project, load_stack_config

UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
UNKNOWN_MARK = "[unknown]"
SECRET_MARK = "[secret]"
STACK_TYPE = "pulumi:pulumi:Stack"
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"
REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class RecordedResource:
    """One resource as the engine saw it."""

    urn: str
    type: str
    name: str
    parent: str | None
    provider: str | None
    """URN of the resource's provider (explicit or default); None for components and providers."""
    custom: bool
    wire: dict[str, Any]
    """Inputs exactly as sent to policies (JSON form of the wire struct: sentinels and secret envelopes kept)."""
    options: dict[str, Any]
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    read: bool = False

    @property
    def inputs(self) -> dict[str, Any]:
        """Inputs for people: unknowns as ``[unknown]``, secrets as ``[secret]``."""
        result = display_value(self.wire)
        assert isinstance(result, dict)
        return result

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "provider": self.provider,
            "inputs": self.inputs,
            "options": self.options,
            "dependencies": self.dependencies,
            "propertyDependencies": self.property_dependencies,
        }


@dataclass(frozen=True)
class Violation:
    policy: str
    pack: str
    urn: str
    message: str
    enforcement: str
    severity: str

    def to_json(self) -> dict[str, str]:
        return {
            "policy": self.policy,
            "pack": self.pack,
            "urn": self.urn,
            "message": self.message,
            "enforcement": self.enforcement,
            "severity": self.severity,
        }


@dataclass
class PreviewResult:
    project: str
    stack: str
    resources: list[RecordedResource]
    outputs: dict[str, Any]
    policy_packs: list[tuple[str, str]] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    wire_outputs: dict[str, Any] = field(default_factory=dict)
    """Outputs in wire form (unknown sentinels, secret envelopes), for stack references."""
    seconds: float = 0.0

    def by_type(self, type_: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_]

    def get(self, urn: str) -> RecordedResource:
        for r in self.resources:
            if r.urn == urn:
                return r
        raise KeyError(urn)

    def children(self, urn: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.parent == urn]

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement == "mandatory"]

    @property
    def advisory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement == "advisory"]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "project": self.project,
            "stack": self.stack,
            "resources": [
                {k: v for k, v in r.to_json().items() if k in RESOURCE_KEYS} for r in self.resources
            ],
            "outputs": self.outputs,
            "policy_packs": [{"name": n, "version": v} for n, v in self.policy_packs],
            "violations": [v.to_json() for v in self.violations],
            "summary": {
                "resources": len(self.resources),
                "mandatory": len(self.mandatory),
                "advisory": len(self.advisory),
            },
        }


RESOURCE_KEYS = ("urn", "type", "name", "parent", "provider", "inputs", "options")


def display_value(value: Any) -> Any:
    """Wire JSON -> readable JSON: unknowns and secrets masked, resource references by URN."""
    if isinstance(value, str):
        return UNKNOWN_MARK if value == UNKNOWN_SENTINEL else value
    if isinstance(value, dict):
        sig = value.get(SECRET_SIG_KEY)
        if sig == SECRET_SIG:
            return SECRET_MARK
        if sig == RESOURCE_SIG:
            return value.get("urn", UNKNOWN_MARK)
        if sig is not None:
            return UNKNOWN_MARK
        return {k: display_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [display_value(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# --------------------------------------------------------------------------------------------------
# URNs


def make_urn(stack: str, project: str, parent_urn: str, type_: str, name: str) -> str:
    """Form a URN as the engine does: the full ancestor type chain, the stack's type excluded."""
    qualified = type_
    if parent_urn:
        parent_qualified = parent_urn.split("::")[2]
        if parent_qualified != STACK_TYPE:
            qualified = f"{parent_qualified}${type_}"
    return f"urn:pulumi:{stack}::{project}::{qualified}::{name}"


def urn_type(urn: str) -> str:
    return urn.split("::")[2].split("$")[-1]


# --------------------------------------------------------------------------------------------------
# Provider-side emulation


@functools.lru_cache(maxsize=4096)
def aws_has_tags_all(type_: str) -> bool:
    """Whether an AWS resource type has ``tagsAll`` (so the provider computes it from defaultTags)."""
    try:
        _, module, cls = type_.split(":")
        mod = importlib.import_module(f"pulumi_aws.{module.split('/')[0]}")
        klass = getattr(mod, cls, None)
    except (ValueError, ImportError):
        return False
    return klass is not None and hasattr(klass, "tags_all")


def _json_or_value(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def aws_default_tags(provider_inputs: Mapping[str, Any]) -> dict[str, Any] | str | None:
    """``defaultTags.tags`` of an AWS provider's inputs (JSON string or object); UNKNOWN if unknown."""
    raw = provider_inputs.get("defaultTags")
    if raw is None:
        return None
    if raw == UNKNOWN_SENTINEL:
        return UNKNOWN_SENTINEL
    value = _json_or_value(raw)
    if not isinstance(value, dict):
        return None
    tags = value.get("tags")
    if tags == UNKNOWN_SENTINEL:
        return UNKNOWN_SENTINEL
    return dict(tags) if isinstance(tags, dict) else None


def emulate_check(type_: str, wire: dict[str, Any], provider_inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The provider-side Check step policies can see: AWS ``tagsAll`` from ``defaultTags`` and ``tags``."""
    if not type_.startswith("aws:") or type_.startswith("pulumi:providers:") or not aws_has_tags_all(type_):
        return wire
    default = aws_default_tags(provider_inputs)
    tags = wire.get("tags")
    if default is None and tags is None:
        return wire
    out = dict(wire)
    if default == UNKNOWN_SENTINEL or tags == UNKNOWN_SENTINEL:
        out["tagsAll"] = UNKNOWN_SENTINEL
        return out
    merged: dict[str, Any] = {}
    if isinstance(default, dict):
        merged.update(default)
    if isinstance(tags, dict):
        merged.update(tags)
    out["tagsAll"] = merged
    return out


def default_provider_inputs(package: str, config: StackConfig, version: str) -> dict[str, Any]:
    """Inputs of the default provider the engine builds from ``<package>:*`` stack config."""
    inputs: dict[str, Any] = {}
    for key, value in config.namespace(package).items():
        if key in config.secret_keys or f"{package}:{key}" in config.secret_keys:
            inputs[key] = {SECRET_SIG_KEY: SECRET_SIG, "value": SECRET_PLACEHOLDER}
        elif isinstance(value, str):
            inputs[key] = value
        else:
            inputs[key] = json.dumps(value)
    if version:
        inputs["version"] = version
    return inputs


# --------------------------------------------------------------------------------------------------
# The monitor


class _Recorder:
    def __init__(
        self,
        project: str,
        stack: str,
        config: StackConfig,
        stack_refs: Callable[[str], dict[str, Any]],
        progress: Callable[[int], None] | None,
    ) -> None:
        self.project = project
        self.stack = stack
        self.config = config
        self.stack_refs = stack_refs
        self.progress = progress
        self.lock = threading.Lock()
        self.resources: dict[str, RecordedResource] = {}
        self.order: list[str] = []
        self.provider_inputs: dict[str, dict[str, Any]] = {}
        self.outputs: dict[str, Any] = {}
        self.stack_urn = ""
        self.errors: list[BaseException] = []

    def add(self, res: RecordedResource) -> None:
        with self.lock:
            if res.urn in self.resources:
                raise PreviewError(
                    f"duplicate resource URN {res.urn}: two resources of type {res.type} share the name "
                    f"{res.name!r} under the same parent (give each a unique name)"
                )
            self.resources[res.urn] = res
            self.order.append(res.urn)
            count = len(self.order)
        if self.progress is not None and count % 250 == 0:
            self.progress(count)

    def default_provider(self, package: str, version: str) -> str:
        suffix = version.replace(".", "_") if version else ""
        name = f"default_{suffix}" if suffix else "default"
        urn = make_urn(self.stack, self.project, "", f"pulumi:providers:{package}", name)
        with self.lock:
            exists = urn in self.resources
        if not exists:
            inputs = default_provider_inputs(package, self.config, version)
            res = RecordedResource(
                urn=urn,
                type=f"pulumi:providers:{package}",
                name=name,
                parent=None,
                provider=None,
                custom=True,
                wire=inputs,
                options={},
                dependencies=[],
                property_dependencies={},
            )
            with self.lock:
                if urn not in self.resources:
                    self.resources[urn] = res
                    self.order.append(urn)
                    self.provider_inputs[urn] = inputs
        return urn


@functools.lru_cache(maxsize=1)
def _make_monitor_class() -> type:
    from google.protobuf import json_format, struct_pb2
    from pulumi.runtime import mocks, rpc
    from pulumi.runtime.proto import resource_pb2
    from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

    class KasbahMonitor(mocks.MockMonitor):
        """A resource monitor that records registrations as the engine sees them."""

        def __init__(self, recorder: _Recorder) -> None:
            super().__init__(_no_mocks())
            self.rec = recorder

        def make_urn(self, parent: str, type_: str, name: str) -> str:
            return make_urn(self.rec.stack, self.rec.project, parent, type_, name)

        def _provider_of(self, request: Any, type_: str, custom: bool) -> str | None:
            if not custom or type_.startswith("pulumi:providers:"):
                return None
            if request.provider:
                return str(request.provider).rsplit("::", 1)[0]
            if type_ in (STACK_REFERENCE_TYPE,) or type_.startswith("pulumi:"):
                return None
            return self.rec.default_provider(type_.split(":")[0], request.version)

        def _options(self, request: Any, deps: list[str], prop_deps: dict[str, list[str]]) -> dict[str, Any]:
            implicit = {u for us in prop_deps.values() for u in us}
            opts: dict[str, Any] = {
                "protect": bool(request.protect),
                "retainOnDelete": bool(request.retainOnDelete),
                "ignoreChanges": list(request.ignoreChanges),
                "dependsOn": [d for d in deps if d not in implicit],
            }
            if request.deleteBeforeReplaceDefined:
                opts["deleteBeforeReplace"] = bool(request.deleteBeforeReplace)
            if list(request.replaceOnChanges):
                opts["replaceOnChanges"] = list(request.replaceOnChanges)
            if list(request.additionalSecretOutputs):
                opts["additionalSecretOutputs"] = list(request.additionalSecretOutputs)
            if list(request.aliasURNs) or list(request.aliases):
                opts["aliases"] = [a for a in request.aliasURNs] + [
                    json_format.MessageToDict(a) for a in request.aliases
                ]
            if request.importId:
                opts["import"] = request.importId
            if request.deletedWith:
                opts["deletedWith"] = request.deletedWith
            return opts

        def RegisterResource(self, request: Any) -> Any:
            try:
                return self._register(request)
            except BaseException as exc:
                self.rec.errors.append(exc)
                raise

        def _register(self, request: Any) -> Any:
            type_ = request.type
            urn = self.make_urn(request.parent, type_, request.name)
            if type_ == STACK_TYPE:
                self.rec.stack_urn = urn
                self.rec.add(RecordedResource(urn, type_, request.name, None, None, False, {}, {}, [], {}))
                return resource_pb2.RegisterResourceResponse(urn=urn)
            _ensure_event_loop()  # type: ignore[no-untyped-call]
            wire = json_format.MessageToDict(request.object)
            custom = bool(request.custom)
            provider = self._provider_of(request, type_, custom)
            prov_inputs = self.rec.provider_inputs.get(provider, {}) if provider else {}
            wire = emulate_check(type_, wire, prov_inputs)
            # Sorted: the SDK's order depends on task scheduling, and policies must not depend on it.
            deps = sorted(set(request.dependencies))
            prop_deps = {k: sorted(set(v.urns)) for k, v in sorted(request.propertyDependencies.items())}
            res = RecordedResource(
                urn=urn,
                type=type_,
                name=request.name,
                parent=request.parent or None,
                provider=provider,
                custom=custom,
                wire=wire,
                options=self._options(request, deps, prop_deps),
                dependencies=deps,
                property_dependencies=prop_deps,
            )
            if type_.startswith("pulumi:providers:"):
                with self.rec.lock:
                    self.rec.provider_inputs[urn] = wire
            self.rec.add(res)
            if not custom:
                return resource_pb2.RegisterResourceResponse(urn=urn)
            obj = struct_pb2.Struct()
            obj.update(wire)
            return resource_pb2.RegisterResourceResponse(urn=urn, id="", object=obj)

        def ReadResource(self, request: Any) -> Any:
            try:
                return self._read(request)
            except BaseException as exc:
                self.rec.errors.append(exc)
                raise

        def _read(self, request: Any) -> Any:
            _ensure_event_loop()  # type: ignore[no-untyped-call]
            urn = self.make_urn(request.parent, request.type, request.name)
            wire = json_format.MessageToDict(request.properties)
            provider = str(request.provider).rsplit("::", 1)[0] if request.provider else None
            if provider is None and not request.type.startswith("pulumi:"):
                provider = self.rec.default_provider(request.type.split(":")[0], request.version)
            res = RecordedResource(
                urn,
                request.type,
                request.name,
                request.parent or None,
                provider,
                True,
                wire,
                {"read": request.id},
                list(request.dependencies),
                {},
                read=True,
            )
            self.rec.add(res)
            if request.type == STACK_REFERENCE_TYPE:
                name = str(wire.get("name") or request.id)
                outputs = self.rec.stack_refs(name)
                state = struct_pb2.Struct()
                state.update(
                    {
                        "name": name,
                        "outputs": _mark_unknown_outputs(outputs),
                        "secretOutputNames": sorted(k for k, v in outputs.items() if _is_secret_wire(v)),
                    }
                )
                return resource_pb2.ReadResourceResponse(urn=urn, properties=state)
            return resource_pb2.ReadResourceResponse(urn=urn, properties=request.properties)

        def RegisterResourceOutputs(self, request: Any) -> Any:
            if request.urn == self.rec.stack_urn:
                self.rec.outputs = json_format.MessageToDict(request.outputs)
            return super().RegisterResourceOutputs(request)  # type: ignore[no-untyped-call]

        def Invoke(self, request: Any) -> Any:
            _ensure_event_loop()  # type: ignore[no-untyped-call]
            if request.tok == "pulumi:pulumi:getResource":
                return super().Invoke(request)  # type: ignore[no-untyped-call]
            args = rpc.deserialize_properties(request.args)
            provider = str(request.provider).rsplit("::", 1)[0] if request.provider else None
            prov_inputs: Mapping[str, Any] = {}
            if provider:
                prov_inputs = self.rec.provider_inputs.get(provider, {})
            else:
                pkg = request.tok.split(":")[0]
                prov_inputs = default_provider_inputs(pkg, self.rec.config, "")
            ctx = invokes.InvokeContext(config=self.rec.config.values, provider_inputs=prov_inputs)
            try:
                ret = invokes.answer(request.tok, args, ctx)
            except KeyError:
                err = PreviewError(
                    f"invoke {request.tok} has no canned answer in kasbah's offline registry "
                    "(kasbah/invokes.py); add one that agrees with the stack config"
                )
                self.rec.errors.append(err)
                raise err from None
            except invokes.InvokeFailure as exc:
                return resource_pb2.ResourceInvokeResponse(
                    failures=[_check_failure("", f"invoke {request.tok}: {exc}")]
                )
            ret_proto = _sync_await(rpc.serialize_properties(ret, {}))
            return resource_pb2.ResourceInvokeResponse(failures=None, **{"return": ret_proto})

        def Call(self, request: Any) -> Any:
            err = PreviewError(f"method call {request.tok} is not supported offline")
            self.rec.errors.append(err)
            raise err

    return KasbahMonitor


def _check_failure(prop: str, reason: str) -> Any:
    from pulumi.runtime.proto import provider_pb2

    return provider_pb2.CheckFailure(property=prop, reason=reason)


STACK_OUTPUT_UNKNOWN = "[kasbah:stack-output-unknown-during-preview]"


def _mark_unknown_outputs(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """Replace unknown stack outputs by a marker, so that the other outputs stay known.

    The SDK treats a StackReference's whole ``outputs`` map as unknown if any
    value in it is; the engine patches ``get_output``/``require_output`` to turn
    the marker back into an unknown value for that output alone.
    """
    return {k: STACK_OUTPUT_UNKNOWN if _contains_unknown(v) else v for k, v in outputs.items()}


def _contains_unknown(value: Any) -> bool:
    if value == UNKNOWN_SENTINEL:
        return True
    if isinstance(value, dict):
        return any(_contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_unknown(v) for v in value)
    return False


@contextlib.contextmanager
def _per_output_unknowns() -> Iterator[None]:
    import pulumi
    from pulumi import stack_reference

    cls = stack_reference.StackReference
    original_get, original_require = cls.get_output, cls.require_output

    def wrap(method: Callable[..., Any]) -> Callable[..., Any]:
        def patched(self: Any, name: Any) -> Any:
            out = method(self, name)

            async def known() -> bool:
                return bool(await out.is_known()) and (await out.future()) != STACK_OUTPUT_UNKNOWN

            async def value() -> Any:
                v = await out.future()
                return None if v == STACK_OUTPUT_UNKNOWN else v

            return pulumi.Output(
                out.resources(),
                asyncio.ensure_future(value()),
                asyncio.ensure_future(known()),
                out.is_secret(),
            )

        return patched

    cls.get_output = wrap(original_get)  # type: ignore[method-assign]
    cls.require_output = wrap(original_require)  # type: ignore[method-assign]
    try:
        yield
    finally:
        cls.get_output, cls.require_output = original_get, original_require  # type: ignore[method-assign]


def _is_secret_wire(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG_KEY) == SECRET_SIG


def _no_mocks() -> Any:
    """MockMonitor requires a Mocks object; the Kasbah monitor answers everything itself."""
    from pulumi.runtime import mocks

    class _NoMocks(mocks.Mocks):
        def call(self, args: Any) -> Any:  # pragma: no cover - never reached
            raise AssertionError("unreachable")

        def new_resource(self, args: Any) -> Any:  # pragma: no cover - never reached
            raise AssertionError("unreachable")

    return _NoMocks()


# --------------------------------------------------------------------------------------------------
# Running a program in a clean runtime

_RUN_LOCK = threading.Lock()


def sdk_fast_path_enabled() -> bool:
    """Whether to skip SDK work whose result is never used offline (``KASBAH_SDK_FAST_PATH=0`` disables it)."""
    return os.environ.get("KASBAH_SDK_FAST_PATH", "1") != "0"


@contextlib.contextmanager
def _sdk_fast_path(enabled: bool) -> Iterator[None]:
    """Two patches of the Python SDK's own overhead, for the duration of one run; the monitor sees the same.

    1. ``Resource.__init__`` computes an alias URN (several Outputs) for every alias in
       its options; those URNs are only read when the monitor does not support alias
       specs. Kasbah's monitor does (the SDK sends the alias specs themselves), so
       the URNs are dead work: about 30 per azure-native resource.
    2. ``wait_for_rpcs`` waits with ``FIRST_COMPLETED`` over every pending output and
       starts again after each completion, which is quadratic in the number of
       outputs. Waiting for all of them gives the same end state (outputs created
       meanwhile are picked up by the next round of its loop).

    The recorded resources, inputs, options and dependencies are identical either
    way (tested); only wall time changes. Disable with ``KASBAH_SDK_FAST_PATH=0``.
    """
    if not enabled:
        yield
        return
    import types

    import pulumi.resource as pulumi_resource
    import pulumi.runtime.stack as pulumi_stack

    saved_collapse = pulumi_resource.collapse_alias_to_urn  # type: ignore[attr-defined]
    saved_asyncio = pulumi_stack.asyncio  # type: ignore[attr-defined]
    shim = types.SimpleNamespace(**{k: getattr(asyncio, k) for k in dir(asyncio) if not k.startswith("__")})

    async def wait_all(tasks: Any, return_when: Any = None) -> Any:
        return await asyncio.wait(tasks, return_when=asyncio.ALL_COMPLETED)

    shim.wait = wait_all
    pulumi_resource.collapse_alias_to_urn = lambda alias, name, typ, parent: ""  # type: ignore[attr-defined,assignment,return-value]
    pulumi_stack.asyncio = shim  # type: ignore[attr-defined,assignment]
    try:
        yield
    finally:
        pulumi_resource.collapse_alias_to_urn = saved_collapse  # type: ignore[attr-defined]
        pulumi_stack.asyncio = saved_asyncio  # type: ignore[attr-defined]


@contextlib.contextmanager
def _clean_runtime(project: str, stack: str, config: StackConfig, recorder: _Recorder) -> Iterator[None]:
    """Configure a brand-new Pulumi runtime for one run and tear it down afterwards."""
    from pulumi.runtime import config as runtime_config
    from pulumi.runtime import mocks, settings

    monitor_cls = _make_monitor_class()
    monitor = monitor_cls(recorder)
    saved_env = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("PULUMI_")}
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        settings.reset_options()
        settings.configure(
            mocks.MockSettings(  # type: ignore[no-untyped-call]
                monitor=monitor,
                monitor_features=set(monitor.GetDeploymentInfo(None).supportedFeatures),
                engine=mocks.MockEngine(None),
                project=project,
                stack=stack,
                dry_run=True,
                organization=str(config.values.get("kasbah:organization") or "organization"),
                callbacks=None,
            )
        )
        runtime_config.set_all_config(config.runtime_values(), sorted(config.secret_keys))
        yield
    finally:
        with contextlib.suppress(Exception):
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        with contextlib.suppress(Exception):
            loop.close()
        asyncio.set_event_loop(None)
        runtime_config.set_all_config({}, [])
        settings.reset_options()
        os.environ.update(saved_env)


def _run(func: Callable[[], Any]) -> None:
    from pulumi.runtime.stack import run_in_stack

    loop = asyncio.get_event_loop()
    loop.run_until_complete(run_in_stack(func))


def _program_runner(project: Project) -> tuple[Callable[[], Any], list[str]]:
    main = project.main
    if main.is_dir():
        entry = main / "__main__.py"
        if not entry.exists():
            raise PreviewError(f"{main}: no __main__.py (the program of project {project.name})")
        program_dir = main
    else:
        entry = main
        program_dir = main.parent
    added = [str(program_dir)]

    def run() -> None:
        runpy.run_path(str(entry), run_name="__main__")

    return run, added


def _purge_modules(before: set[str], roots: Sequence[str]) -> None:
    """Forget modules the program imported from its own directory, so the next run starts clean.

    Installed packages are kept even when the environment lives inside the project
    directory (a ``.venv`` at the repository root), and so are Kasbah's own packages.
    """
    resolved = [str(Path(r).resolve()) + os.sep for r in roots]
    installed = [str(Path(p).resolve()) + os.sep for p in _installed_dirs()]
    for name in list(sys.modules):
        if name in before or name.split(".")[0] in ("kasbah", "components", "policies"):
            continue
        file = getattr(sys.modules.get(name), "__file__", None) or ""
        if not file:
            continue
        path = str(Path(file).resolve())
        if any(path.startswith(r) for r in resolved) and not any(path.startswith(i) for i in installed):
            del sys.modules[name]


@functools.lru_cache(maxsize=1)
def _installed_dirs() -> tuple[str, ...]:
    import site
    import sysconfig

    dirs = {sysconfig.get_paths()[k] for k in ("purelib", "platlib", "stdlib", "platstdlib")}
    dirs.update(site.getsitepackages())
    dirs.add(sys.prefix)
    return tuple(sorted(dirs))


def _format_program_error(exc: BaseException, where: str) -> PreviewError:
    from components.errors import ConfigError

    chain: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in chain:
        chain.append(cur)
        cur = cur.__cause__ or cur.__context__
    for e in chain:
        if isinstance(e, PreviewError):
            return e
    for e in chain:
        if isinstance(e, ConfigError):
            return PreviewError(f"configuration error: {e}", detail=_tail(e))
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return PreviewError(f"the program of {where} failed: {type(exc).__name__}: {first}", detail=_tail(exc))


def _tail(exc: BaseException, lines: int = 12) -> str:
    """The program's own part of the traceback: frames of Kasbah, the Pulumi SDK and runpy left out."""
    internal = (str(Path(__file__).resolve().parent), os.sep + "pulumi" + os.sep, "<frozen runpy>", "asyncio")
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__) if not any(i in f.filename for i in internal)
    ]
    text = "Traceback (most recent call last, program frames only):\n" + "".join(
        traceback.format_list(frames)
    )
    text += "".join(traceback.format_exception_only(type(exc), exc))
    return "\n".join(text.rstrip().splitlines()[-lines:])


def run_program(
    func: Callable[[], Any],
    *,
    project: str,
    stack: str,
    config: StackConfig,
    sys_path: Sequence[str] = (),
    cwd: Path | None = None,
    stack_refs: Callable[[str], dict[str, Any]] | None = None,
    progress: Callable[[int], None] | None = None,
    where: str = "",
) -> PreviewResult:
    """Run ``func`` as a Pulumi program offline and return what it registered (no policies)."""

    def no_refs(name: str) -> dict[str, Any]:
        raise PreviewError(
            f"StackReference '{name}' is not a stack of this project: pass its outputs with --stack-outputs FILE"
        )

    recorder = _Recorder(project, stack, config, stack_refs or no_refs, progress)
    started = time.perf_counter()
    before = set(sys.modules)
    old_cwd = os.getcwd()
    old_path = list(sys.path)
    with (
        _RUN_LOCK,
        _clean_runtime(project, stack, config, recorder),
        _per_output_unknowns(),
        _sdk_fast_path(sdk_fast_path_enabled()),
    ):
        try:
            sys.path[:0] = list(sys_path)
            if cwd is not None:
                os.chdir(cwd)
            _run(func)
        except SystemExit as exc:
            if exc.code not in (None, 0):
                raise _format_program_error(exc, where or project) from None
        except PreviewError:
            raise
        except BaseException as exc:
            for err in recorder.errors:
                if isinstance(err, PreviewError):
                    raise err from None
            raise _format_program_error(exc, where or project) from None
        finally:
            os.chdir(old_cwd)
            sys.path[:] = old_path
            _purge_modules(before, sys_path)
    for err in recorder.errors:
        if isinstance(err, PreviewError):
            raise err
    resources = [recorder.resources[u] for u in recorder.order]
    return PreviewResult(
        project=project,
        stack=stack,
        resources=resources,
        outputs={k: display_value(v) for k, v in recorder.outputs.items()},
        wire_outputs=dict(recorder.outputs),
        seconds=time.perf_counter() - started,
    )


# --------------------------------------------------------------------------------------------------
# Stack references between stacks of one project


class StackReferenceResolver:
    """Answers ``StackReference`` names with the offline preview outputs of this project's stacks."""

    def __init__(self, project: Project, outputs_file: Path | None, chain: Sequence[str] = ()) -> None:
        self.project = project
        self.chain = list(chain)
        self.cache: dict[str, dict[str, Any]] = {}
        self.files: dict[str, Any] = {}
        if outputs_file is not None:
            try:
                data = json.loads(Path(outputs_file).read_text())
            except (OSError, json.JSONDecodeError) as exc:
                raise PreviewError(f"{outputs_file}: cannot read stack outputs ({exc})") from None
            if not isinstance(data, dict):
                raise PreviewError(f"{outputs_file}: expected an object mapping stack names to outputs")
            self.files = data

    def __call__(self, name: str) -> dict[str, Any]:
        if name in self.files:
            outputs: dict[str, Any] = _to_wire(self.files[name])
            return outputs
        parts = name.split("/")
        stack = parts[-1]
        project = parts[-2] if len(parts) >= 2 else self.project.name
        if project != self.project.name or stack not in self.project.stacks():
            raise PreviewError(
                f"StackReference '{name}' is neither a stack of project {self.project.name} "
                f"(stacks: {', '.join(self.project.stacks()) or 'none'}) nor in --stack-outputs: "
                "pass its outputs with --stack-outputs FILE"
            )
        if stack in self.chain:
            raise PreviewError(f"StackReference cycle: {' -> '.join([*self.chain, stack])}")
        if stack not in self.cache:
            self.cache[stack] = self._preview_outputs(stack)
        return self.cache[stack]

    def _preview_outputs(self, stack: str) -> dict[str, Any]:
        env = dict(os.environ)
        env["KASBAH_STACK_CHAIN"] = ",".join([*self.chain, stack])
        cmd = [
            sys.executable,
            "-m",
            "kasbah",
            "preview",
            str(self.project.dir),
            "--stack",
            stack,
            "--format",
            "json",
            "--no-policies",
            "--wire-outputs",
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["(no output)"])[0]
            raise PreviewError(f"StackReference to stack '{stack}': its offline preview failed: {last}")
        data = json.loads(proc.stdout)
        outputs: dict[str, Any] = data.get("wire_outputs", data.get("outputs", {}))
        return outputs


def _to_wire(value: Any) -> Any:
    if value == UNKNOWN_MARK:
        return UNKNOWN_SENTINEL
    if isinstance(value, dict):
        return {k: _to_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_wire(v) for v in value]
    return value


# --------------------------------------------------------------------------------------------------
# Public API


def _progress_printer() -> Callable[[int], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(count: int) -> None:
        print(f"\rkasbah: {count} resources registered...", end="", file=sys.stderr, flush=True)

    return show


def preview(
    project_dir: str | Path = ".",
    stack: str | None = None,
    *,
    config_file: str | Path | None = None,
    policy_packs: Sequence[str | Path] | None = None,
    policy_config: str | Path | Mapping[str, Any] | None = None,
    stack_outputs: str | Path | None = None,
    progress: bool = False,
) -> PreviewResult:
    """Preview a Pulumi project offline and run policy packs on it.

    ``stack`` defaults to the project's only stack, else to ``[tool.kasbah]
    default-stack`` in the project's pyproject.toml. ``policy_packs`` None
    means every pack shipped with Kasbah; ``[]`` none. ``policy_config`` None
    means ``<stackConfigDir>/<stack>.policy.json`` when it exists.
    """
    from kasbah import analysis

    project = load_project(project_dir)
    stack = stack or default_stack(project)
    config = load_stack_config(project, stack, config_file)
    chain = [s for s in os.environ.get("KASBAH_STACK_CHAIN", "").split(",") if s]
    resolver = StackReferenceResolver(
        project, Path(stack_outputs) if stack_outputs else None, chain or [stack]
    )
    packs = analysis.load_packs(policy_packs)
    if policy_config is None:
        policy_config = project.policy_config_for(stack)
    run, sys_path = _program_runner(project)
    result = run_program(
        run,
        project=project.name,
        stack=stack,
        config=config,
        sys_path=sys_path,
        cwd=project.dir if project.main.is_dir() else project.main.parent,
        stack_refs=resolver,
        progress=_progress_printer() if progress else None,
        where=f"project {project.name} (stack {stack})",
    )
    if progress and sys.stderr.isatty():
        print("", file=sys.stderr)
    analysis.analyze(result, packs, policy_config, config)
    return result


def default_stack(project: Project) -> str:
    stacks = project.stacks()
    if len(stacks) == 1:
        return stacks[0]
    pyproject = project.dir / "pyproject.toml"
    if pyproject.exists():
        import tomllib

        try:
            data = tomllib.loads(pyproject.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise PreviewError(f"{pyproject}: malformed TOML: {exc}") from None
        name = data.get("tool", {}).get("kasbah", {}).get("default-stack")
        if name:
            return str(name)
    raise PreviewError(
        f"project {project.name} has {len(stacks)} stacks ({', '.join(stacks) or 'none'}): choose one with --stack"
    )


def preview_program(
    fn: Callable[[], Any],
    *,
    config: Mapping[str, Any] | None = None,
    secret_keys: Sequence[str] = (),
    project: str = "test",
    stack: str = "test",
    policy_packs: Sequence[str | Path] | None = (),
    policy_config: str | Path | Mapping[str, Any] | None = None,
) -> PreviewResult:
    """Preview an inline program (a callable that creates resources) with the same engine."""
    from kasbah import analysis

    cfg = StackConfig(values=dict(config or {}), secret_keys=set(secret_keys))
    packs = analysis.load_packs(policy_packs)
    result = run_program(fn, project=project, stack=stack, config=cfg, where=f"inline program {project}")
    analysis.analyze(result, packs, policy_config, cfg)
    return result
