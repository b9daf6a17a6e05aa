"""The resource monitor: records every registration as the Pulumi engine would see it.

``KasbahMonitor`` answers the Python SDK's ``RegisterResource``, ``ReadResource``,
``RegisterResourceOutputs``, ``Invoke`` and ``Call`` requests in-process (it extends the
SDK's ``MockMonitor``, so the SDK's mock plumbing is reused) and fills a :class:`Recorder`.
"""

from __future__ import annotations

import functools
import json
import os
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kasbah.engine import clouds
from kasbah.engine.model import (
    OUTPUT_SIG,
    PROVIDER_PREFIX,
    SECRET_SIG,
    SECRET_SIG_KEY,
    STACK_REFERENCE_TYPE,
    STACK_TYPE,
    UNKNOWN_SENTINEL,
    RecordedResource,
    SourcePosition,
    is_secret_wire,
)
from kasbah.engine.shapes import plain, preview_outputs
from kasbah.engine.sources import SourceLocator
from kasbah.engine.urns import make_urn, provider_urn
from kasbah.errors import PreviewError
from kasbah.invokes import answer
from kasbah.project import SECRET_PLACEHOLDER, StackConfig


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


class Recorder:
    """Everything one program run registered (shared by the monitor's worker threads)."""

    def __init__(
        self,
        project: str,
        stack: str,
        config: StackConfig,
        stack_refs: Callable[[str], dict[str, Any]],
        progress: Callable[[int], None] | None,
        *,
        allow_remote_components: bool = False,
        environment: Mapping[str, str] | None = None,
        sources: SourceLocator | None = None,
    ) -> None:
        self.project = project
        self.stack = stack
        self.config = config
        self.stack_refs = stack_refs
        self.progress = progress
        self.allow_remote_components = allow_remote_components
        self.environment: Mapping[str, str] = dict(environment or {})
        self.lock = threading.Lock()
        self.resources: dict[str, RecordedResource] = {}
        self.order: list[str] = []
        self.provider_inputs: dict[str, dict[str, Any]] = {}
        self.outputs: dict[str, Any] = {}
        self.stack_urn = ""
        self.errors: list[BaseException] = []
        self.log_errors: list[str] = []
        """Messages the program logged with ``pulumi.log.error``."""
        self.last_registered = ""
        """URN of the last resource registered (named when a run times out)."""
        self.stack_transforms: list[Any] = []
        """Callbacks of ``register_stack_transform``, in registration order."""
        self.resource_transforms: dict[str, list[Any]] = {}
        """Callbacks of ``ResourceOptions(transforms=...)`` by URN (they apply to descendants too)."""
        self.stack_reference_outputs: dict[str, dict[str, Any]] = {}
        """Outputs (wire form) of each StackReference by its URN, read output by output."""
        self.disabled_default_providers = _disabled_default_providers(config)
        self.sources = sources
        """Locates each registration's stack trace in the user's repository (None: not recorded)."""

    def source_of(self, request: Any) -> SourcePosition | None:
        return self.sources.locate(request) if self.sources is not None else None

    def add(self, res: RecordedResource) -> None:
        with self.lock:
            if res.urn in self.resources:
                raise PreviewError(
                    f"duplicate resource URN {res.urn}: two resources of type {res.type} share the name "
                    f"{res.name!r} under the same parent (give each a unique name)"
                )
            self.resources[res.urn] = res
            self.order.append(res.urn)
            self.last_registered = res.urn
            count = len(self.order)
        if self.progress is not None and count % 10 == 0:
            self.progress(count)

    def default_provider(self, package: str, version: str, user: str) -> str:
        """The URN of the package's default provider, registered on first use.

        ``user`` is the type or invoke token that needs it (named when default providers are
        disabled, in the engine's own words: pulumi/pulumi ``sdk/go/common/diag/errors.go`` 2015).
        """
        if "*" in self.disabled_default_providers or package in self.disabled_default_providers:
            raise PreviewError(
                f"Default provider for '{package}' disabled. '{user}' must use an explicit provider."
                " (pulumi:disable-default-providers in the stack config)"
            )
        suffix = version.replace(".", "_") if version else ""
        name = f"default_{suffix}" if suffix else "default"
        urn = make_urn(self.stack, self.project, "", f"{PROVIDER_PREFIX}{package}", name)
        with self.lock:
            exists = urn in self.resources
        if not exists:
            inputs = default_provider_inputs(package, self.config, version)
            check_provider_config(package, name, inputs, self.environment)
            res = RecordedResource(
                urn=urn,
                type=f"{PROVIDER_PREFIX}{package}",
                name=name,
                parent=None,
                provider=None,
                custom=True,
                wire=inputs,
                options={},
                dependencies=[],
                property_dependencies={},
                outputs=dict(inputs),
            )
            with self.lock:
                if urn not in self.resources:
                    self.resources[urn] = res
                    self.order.append(urn)
                    self.provider_inputs[urn] = inputs
        return urn


def _disabled_default_providers(config: StackConfig) -> frozenset[str]:
    """``pulumi:disable-default-providers``: a list of packages (``*`` for all), as the engine reads it."""
    raw = config.values.get("pulumi:disable-default-providers")
    if raw is None or raw == "":
        return frozenset()
    value = raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            raise PreviewError(
                f"pulumi:disable-default-providers: failed to parse {raw!r}. Fix: a list of package names, "
                'e.g. ["aws"] or ["*"].'
            ) from None
    if not isinstance(value, list):
        raise PreviewError(
            'pulumi:disable-default-providers: unexpected encoding. Fix: a list of package names, e.g. ["*"].'
        )
    names = set()
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise PreviewError(f"pulumi:disable-default-providers[{i}] must be a string")
        names.add(item.strip())
    return frozenset(names)


def check_provider_config(
    package: str, name: str, inputs: Mapping[str, Any], environment: Mapping[str, str]
) -> None:
    """The provider's CheckConfig, as its cloud module emulates it: a refusal is one clear error."""
    cloud = clouds.cloud_for(f"{PROVIDER_PREFIX}{package}")
    if cloud is None:
        return
    try:
        cloud.check_config(package, inputs, environment)
    except clouds.ProviderConfigError as exc:
        raise PreviewError(f"{PROVIDER_PREFIX}{package} resource '{name}' has a problem: {exc}") from None


def provider_environment(variables: Sequence[str] | None = None) -> dict[str, str]:
    """The environment variables the registered clouds' providers read (e.g. ``AWS_REGION``)."""
    wanted = variables if variables is not None else [v for c in clouds.CLOUDS for v in c.env_vars]
    return {v: os.environ[v] for v in wanted if os.environ.get(v)}


def emulate_outputs(
    type_: str, outputs: dict[str, Any], provider_inputs: Mapping[str, Any]
) -> dict[str, Any]:
    """Outputs the provider knows at plan time, as the type's cloud emulates them."""
    cloud = clouds.cloud_for(type_)
    return cloud.emulate_outputs(type_, outputs, provider_inputs) if cloud else outputs


def resource_outputs(
    type_: str, wire: Mapping[str, Any], provider_inputs: Mapping[str, Any]
) -> dict[str, Any]:
    """A custom resource's preview outputs: shaped by the SDK's output types, plus what its provider
    plans for the outputs the program did not set (a value the program set, even unknown, stays)."""
    outputs = preview_outputs(type_, wire, True)
    unset = {k: v for k, v in outputs.items() if k not in wire}
    return {**outputs, **emulate_outputs(type_, unset, provider_inputs)}


def emulate_check(type_: str, wire: dict[str, Any], provider_inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The provider-side Check step policies can observe, as the type's cloud emulates it."""
    cloud = clouds.cloud_for(type_)
    return cloud.emulate_check(type_, wire, provider_inputs) if cloud else wire


GO_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION_RE = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")


def duration_seconds(text: str, where: str) -> float:
    """A Go duration (``5m``, ``1h30m``, ``300ms``) in seconds, as the engine reads ``customTimeouts``.

    pulumi/pulumi ``pkg/resource/deploy/source_eval.go`` (``generateTimeoutInSeconds``:
    ``time.ParseDuration(...).Seconds()``); a value it cannot parse fails the registration.
    """
    body = text.strip()
    sign = -1.0 if body.startswith("-") else 1.0
    body = body.lstrip("+-")
    if body == "0":
        return 0.0
    pos, total = 0, 0.0
    for match in _DURATION_RE.finditer(body):
        if match.start() != pos:
            break
        total += float(match.group(1)) * GO_DURATION_UNITS[match.group(2)]
        pos = match.end()
    if not body or pos != len(body):
        raise PreviewError(
            f"{where}: unable to parse customTimeout value {text!r}. Fix: a duration such as 5m or 1h30m."
        )
    return sign * total


def _output_dependencies(value: Any, into: set[str]) -> None:
    if isinstance(value, dict):
        if value.get(SECRET_SIG_KEY) == OUTPUT_SIG:
            into.update(str(d) for d in value.get("dependencies") or [])
        for v in value.values():
            _output_dependencies(v, into)
    elif isinstance(value, list):
        for v in value:
            _output_dependencies(v, into)


def _upgrade_to_outputs(wire: Mapping[str, Any], prop_deps: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """Top-level values with property dependencies become output values carrying them.

    pulumi/pulumi ``source_eval.go`` (``upgradeOutputValues``): what transforms receive, so that
    a transform that keeps a value keeps its dependencies (and an unknown stays unknown).
    """
    out: dict[str, Any] = {}
    for key, value in wire.items():
        deps = list(prop_deps.get(key) or [])
        if not deps:
            out[key] = value
            continue
        upgraded: dict[str, Any] = {SECRET_SIG_KEY: OUTPUT_SIG, "dependencies": deps}
        if is_secret_wire(value):
            upgraded["secret"] = True
            value = value.get("value")
        if value != UNKNOWN_SENTINEL:
            upgraded["value"] = value
        out[key] = upgraded
    return out


@functools.lru_cache(maxsize=1)
def monitor_class() -> type:
    from google.protobuf import json_format, struct_pb2
    from pulumi.runtime import mocks, rpc
    from pulumi.runtime.proto import resource_pb2
    from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

    class KasbahMonitor(mocks.MockMonitor):
        """A resource monitor that records registrations as the engine sees them."""

        def __init__(self, recorder: Recorder) -> None:
            super().__init__(_no_mocks())
            self.rec = recorder

        def make_urn(self, parent: str, type_: str, name: str) -> str:
            return make_urn(self.rec.stack, self.rec.project, parent, type_, name)

        def SupportsFeature(self, request: Any) -> Any:
            # The SDK asks before sending transforms and references; everything but output values
            # (the mock monitor's own choice, kept: programs see plain values) is supported.
            return super().SupportsFeature(request)  # type: ignore[no-untyped-call]

        def _provider_of(self, request: Any, type_: str, custom: bool) -> str | None:
            if not custom or type_.startswith(PROVIDER_PREFIX):
                return None
            if request.provider:
                return provider_urn(str(request.provider))
            if type_ in (STACK_REFERENCE_TYPE,) or type_.startswith("pulumi:"):
                return None
            return self.rec.default_provider(clouds.package_of(type_), request.version, type_)

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
            if request.HasField("customTimeouts"):
                where = f"{request.type} '{request.name}'"
                timeouts = {
                    key: duration_seconds(text, where)
                    for key, text in (
                        ("create", request.customTimeouts.create),
                        ("update", request.customTimeouts.update),
                        ("delete", request.customTimeouts.delete),
                    )
                    if text
                }
                if timeouts:
                    opts["customTimeouts"] = timeouts
            return opts

        def RegisterResource(self, request: Any) -> Any:
            try:
                return self._register(request)
            except BaseException as exc:
                self.rec.errors.append(exc)
                raise

        def RegisterStackTransform(self, request: Any) -> Any:
            with self.rec.lock:
                self.rec.stack_transforms.append(request)
            from google.protobuf import empty_pb2

            return empty_pb2.Empty()

        def _register(self, request: Any) -> Any:
            type_ = request.type
            urn = self.make_urn(request.parent, type_, request.name)
            if type_ == STACK_TYPE:
                self.rec.stack_urn = urn
                self.rec.add(RecordedResource(urn, type_, request.name, None, None, False, {}, {}, [], {}))
                return resource_pb2.RegisterResourceResponse(urn=urn)
            _ensure_event_loop()  # type: ignore[no-untyped-call]
            if request.transforms:
                with self.rec.lock:
                    self.rec.resource_transforms[urn] = list(request.transforms)
            request = self._transformed(request, urn)
            wire = json_format.MessageToDict(request.object)
            custom = bool(request.custom)
            if request.remote:
                return self._remote_component(request, urn, wire)
            provider = self._provider_of(request, type_, custom)
            prov_inputs = self.rec.provider_inputs.get(provider, {}) if provider else {}
            wire = emulate_check(type_, wire, prov_inputs)
            # Sorted: the SDK's order depends on task scheduling, and policies must not depend on it.
            deps = sorted(set(request.dependencies))
            prop_deps = {k: sorted(set(v.urns)) for k, v in sorted(request.propertyDependencies.items())}
            if type_.startswith(PROVIDER_PREFIX):
                wire = self._explicit_provider_inputs(request, wire)
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
                secret_paths=tuple(request.additionalSecretOutputs),
                source=self.rec.source_of(request),
            )
            if custom:
                res.outputs = resource_outputs(type_, wire, prov_inputs)
            if type_.startswith(PROVIDER_PREFIX):
                with self.rec.lock:
                    self.rec.provider_inputs[urn] = wire
            self.rec.add(res)
            if not custom:
                return resource_pb2.RegisterResourceResponse(urn=urn)
            obj = struct_pb2.Struct()
            obj.update(res.outputs or {})
            return resource_pb2.RegisterResourceResponse(urn=urn, id="", object=obj)

        def _explicit_provider_inputs(self, request: Any, wire: dict[str, Any]) -> dict[str, Any]:
            """An explicit provider's inputs carry its plugin ``version`` (``providers.SetProviderVersion``)."""
            package = request.type[len(PROVIDER_PREFIX) :]
            version = request.version or _installed_version(package)
            if version and "version" not in wire:
                wire = {**wire, "version": version}
            check_provider_config(package, request.name, wire, self.rec.environment)
            return wire

        def _remote_component(self, request: Any, urn: str, wire: dict[str, Any]) -> Any:
            where = f"{request.type} '{request.name}'"
            if not self.rec.allow_remote_components:
                raise PreviewError(
                    f"{where} is a multi-language (remote) component: its children come from its provider's "
                    "Construct, which cannot run offline, so none of them could be analyzed. Fix: pass "
                    "--allow-remote-components to continue without them (each is reported as an advisory)."
                )
            res = RecordedResource(
                urn=urn,
                type=request.type,
                name=request.name,
                parent=request.parent or None,
                provider=None,
                custom=False,
                wire=wire,
                options={},
                dependencies=sorted(set(request.dependencies)),
                property_dependencies={},
                remote=True,
                source=self.rec.source_of(request),
            )
            self.rec.add(res)
            return resource_pb2.RegisterResourceResponse(urn=urn)

        def _transformed(self, request: Any, urn: str) -> Any:
            """Run the resource's transforms, its ancestors', then the stack's, as the engine does."""
            callbacks = list(request.transforms)
            with self.rec.lock:
                parent = request.parent
                while parent:
                    callbacks.extend(self.rec.resource_transforms.get(parent, []))
                    parent_res = self.rec.resources.get(parent)
                    parent = parent_res.parent if parent_res is not None else None
                callbacks.extend(self.rec.stack_transforms)
            if not callbacks:
                return request
            return run_transforms(request, callbacks)

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
            provider = provider_urn(str(request.provider)) if request.provider else None
            if provider is None and not request.type.startswith("pulumi:"):
                provider = self.rec.default_provider(
                    clouds.package_of(request.type), request.version, request.type
                )
            res = RecordedResource(
                urn,
                request.type,
                request.name,
                request.parent or None,
                provider,
                True,
                wire,
                {"read": request.id},
                sorted(set(request.dependencies)),
                {},
                read=True,
                source=self.rec.source_of(request),
            )
            if request.type == STACK_REFERENCE_TYPE:
                name = str(wire.get("name") or request.id)
                outputs = self.rec.stack_refs(name)
                state = {
                    "name": name,
                    "outputs": outputs,
                    "secretOutputNames": sorted(k for k, v in outputs.items() if is_secret_wire(v)),
                }
                res.outputs = state
                with self.rec.lock:
                    self.rec.stack_reference_outputs[urn] = outputs
                self.rec.add(res)
                props = struct_pb2.Struct()
                props.update(state)
                return resource_pb2.ReadResourceResponse(urn=urn, properties=props)
            prov_inputs = self.rec.provider_inputs.get(provider, {}) if provider else {}
            res.outputs = resource_outputs(request.type, wire, prov_inputs)
            self.rec.add(res)
            props = struct_pb2.Struct()
            props.update(res.outputs)
            # The engine reads the resource during a preview too: its id is the one asked for.
            read_id = request.id if request.id and request.id != UNKNOWN_SENTINEL else ""
            return resource_pb2.ReadResourceResponse(urn=urn, properties=props, id=read_id)

        def RegisterResourceOutputs(self, request: Any) -> Any:
            outputs = json_format.MessageToDict(request.outputs)
            if request.urn == self.rec.stack_urn:
                self.rec.outputs = outputs
            with self.rec.lock:
                res = self.rec.resources.get(request.urn)
                if res is not None and not res.custom:
                    res.outputs = outputs
            return super().RegisterResourceOutputs(request)  # type: ignore[no-untyped-call]

        def Invoke(self, request: Any) -> Any:
            _ensure_event_loop()  # type: ignore[no-untyped-call]
            if request.tok == "pulumi:pulumi:getResource":
                return super().Invoke(request)  # type: ignore[no-untyped-call]
            try:
                return self._invoke(request)
            except PreviewError as err:
                self.rec.errors.append(err)
                raise

        def _invoke(self, request: Any) -> Any:
            args = rpc.deserialize_properties(request.args)
            provider = provider_urn(str(request.provider)) if request.provider else None
            prov_inputs: Mapping[str, Any] = {}
            if provider:
                prov_inputs = self.rec.provider_inputs.get(provider, {})
            elif clouds.cloud_for(request.tok) is not None:
                package = clouds.package_of(request.tok)
                default = self.rec.default_provider(package, request.version, request.tok)
                prov_inputs = self.rec.provider_inputs.get(default, {})
            ctx = clouds.InvokeContext(
                config=self.rec.config.values, provider_inputs=prov_inputs, environment=self.rec.environment
            )
            try:
                ret = answer(request.tok, args, ctx)
            except KeyError:
                raise PreviewError(
                    f"invoke {request.tok} has no canned answer in kasbah's offline registry "
                    "(kasbah/engine/clouds); add one that agrees with the stack config"
                ) from None
            except clouds.InvokeFailure as exc:
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


def run_transforms(request: Any, callbacks: Sequence[Any]) -> Any:
    """Apply transform callbacks to a registration request; return the transformed request.

    Each callback is the SDK's own (``_CallbackServicer``), called with the engine's
    ``TransformRequest`` on the program's event loop, as the engine calls it over gRPC.
    """
    import asyncio

    from google.protobuf import json_format, struct_pb2
    from pulumi.runtime._callbacks import _CallbackServicer
    from pulumi.runtime.proto import resource_pb2

    wire = json_format.MessageToDict(request.object)
    prop_deps = {k: list(v.urns) for k, v in request.propertyDependencies.items()}
    props: dict[str, Any] = _upgrade_to_outputs(wire, prop_deps)
    opts = resource_pb2.TransformResourceOptions(
        depends_on=list(request.dependencies),
        protect=request.protect,
        ignore_changes=list(request.ignoreChanges),
        replace_on_changes=list(request.replaceOnChanges),
        version=request.version,
        provider=request.provider,
        retain_on_delete=request.retainOnDelete,
        deleted_with=request.deletedWith,
        additional_secret_outputs=list(request.additionalSecretOutputs),
        plugin_download_url=request.pluginDownloadURL,
    )
    opts.aliases.extend(request.aliases)
    if request.HasField("customTimeouts"):
        opts.custom_timeouts.CopyFrom(request.customTimeouts)
    if request.deleteBeforeReplaceDefined:
        opts.delete_before_replace = request.deleteBeforeReplace
    for key, value in request.providers.items():
        opts.providers[key] = value
    for cb in callbacks:
        found = next(
            ((s, s._callbacks[cb.token]) for s in _CallbackServicer._servicers if cb.token in s._callbacks),
            None,
        )
        if found is None:
            raise PreviewError(
                f"{request.type} '{request.name}': transform callback {cb.token} is not registered"
            )
        servicer, fn = found
        struct = struct_pb2.Struct()
        struct.update(props)
        tr = resource_pb2.TransformRequest(
            type=request.type,
            name=request.name,
            custom=request.custom,
            parent=request.parent,
            properties=struct,
        )
        tr.options.CopyFrom(opts)
        future: Any = asyncio.run_coroutine_threadsafe(fn(tr.SerializeToString()), servicer._loop)  # type: ignore[arg-type]
        try:
            raw = future.result()
        except PreviewError:
            raise
        except Exception as exc:
            raise PreviewError(
                f"{request.type} '{request.name}': a transform failed: {type(exc).__name__}: {exc}"
            ) from None
        response = resource_pb2.TransformResponse.FromString(raw.SerializeToString())
        if response.HasField("properties"):
            props = json_format.MessageToDict(response.properties)
        if response.HasField("options"):
            opts = response.options
    return _request_from_transform(request, props, opts)


def _request_from_transform(request: Any, props: dict[str, Any], opts: Any) -> Any:
    from google.protobuf import struct_pb2
    from pulumi.runtime.proto import resource_pb2

    new = resource_pb2.RegisterResourceRequest()
    new.CopyFrom(request)
    prop_deps: dict[str, set[str]] = {}
    for key, value in props.items():
        found: set[str] = set()
        _output_dependencies(value, found)
        old = request.propertyDependencies.get(key)
        if old is not None and not (isinstance(value, dict) and value.get(SECRET_SIG_KEY) == OUTPUT_SIG):
            found.update(old.urns)
        if found:
            prop_deps[key] = found
    obj = struct_pb2.Struct()
    obj.update(plain(props))
    new.object.CopyFrom(obj)
    new.ClearField("propertyDependencies")
    for key, urns in prop_deps.items():
        new.propertyDependencies[key].urns.extend(sorted(urns))
    all_deps = set(opts.depends_on) | {u for us in prop_deps.values() for u in us}
    del new.dependencies[:]
    new.dependencies.extend(sorted(all_deps))
    new.protect = opts.protect
    del new.ignoreChanges[:]
    new.ignoreChanges.extend(opts.ignore_changes)
    del new.replaceOnChanges[:]
    new.replaceOnChanges.extend(opts.replace_on_changes)
    new.version = opts.version
    new.provider = opts.provider
    new.retainOnDelete = opts.retain_on_delete
    new.deletedWith = opts.deleted_with
    del new.additionalSecretOutputs[:]
    new.additionalSecretOutputs.extend(opts.additional_secret_outputs)
    if opts.HasField("custom_timeouts"):
        new.customTimeouts.CopyFrom(opts.custom_timeouts)
    if opts.HasField("delete_before_replace"):
        new.deleteBeforeReplaceDefined = True
        new.deleteBeforeReplace = opts.delete_before_replace
    del new.aliases[:]
    new.aliases.extend(opts.aliases)
    new.ClearField("transforms")
    return new


@functools.lru_cache(maxsize=64)
def _installed_version(package: str) -> str:
    """The installed SDK's version of a package (the plugin version the engine would pick)."""
    from importlib import metadata

    try:
        return metadata.version(f"pulumi-{package}")
    except metadata.PackageNotFoundError:
        return ""


def _check_failure(prop: str, reason: str) -> Any:
    from pulumi.runtime.proto import provider_pb2

    return provider_pb2.CheckFailure(property=prop, reason=reason)


def _no_mocks() -> Any:
    """MockMonitor requires a Mocks object; the Kasbah monitor answers everything itself."""
    from pulumi.runtime import mocks

    class _NoMocks(mocks.Mocks):
        def call(self, args: Any) -> Any:  # pragma: no cover - never reached
            raise AssertionError("unreachable")

        def new_resource(self, args: Any) -> Any:  # pragma: no cover - never reached
            raise AssertionError("unreachable")

    return _NoMocks()


def engine_class() -> type:
    """The engine service: records ``pulumi.log.error`` messages (they fail the run)."""
    from pulumi.runtime import mocks
    from pulumi.runtime.proto import engine_pb2

    class KasbahEngine(mocks.MockEngine):
        def __init__(self, recorder: Recorder) -> None:
            super().__init__(None)
            self.rec = recorder

        def Log(self, request: Any) -> Any:
            if request.severity == engine_pb2.ERROR:
                with self.rec.lock:
                    self.rec.log_errors.append(str(request.message))
            return None

    return KasbahEngine
