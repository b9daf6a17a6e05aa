"""Preview outputs take the provider's output shape: registering any resource class never crashes.

Every resource type the repository's stacks use (from the inventory snapshots) is registered
with minimal inputs (its required properties) and with every input set (nested input types
filled two levels deep); so is one resource class of every 4th module of each provider (about
65 modules each), with every input set. The values come from the SDK's own input type hints. A
crash in the SDK's output translation (the azure-native ``userAssignedIdentities`` list-in/map-out
case) fails the test naming the class.
"""

from __future__ import annotations

import enum
import functools
import importlib
import inspect
import json
import pkgutil
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi
import pytest
from conftest import REPO_ROOT
from pulumi import _types

from kasbah.engine import preview_program
from kasbah.engine.shapes import resource_class

CONFIG = {"aws:region": "eu-west-3", "azure-native:location": "francecentral"}
PACKAGES = {"aws": "pulumi_aws", "azure-native": "pulumi_azure_native"}
MAX_DEPTH = 2


def repository_types() -> list[str]:
    types: set[str] = set()
    for path in sorted((REPO_ROOT / "tests" / "snapshots").glob("*.json")):
        types.update(json.loads(path.read_text())["counts"])
    return sorted(t for t in types if t.split(":")[0] in PACKAGES)


def sampled_classes(package: str, every: int = 4) -> list[type]:
    """One resource class (its first file's, by name) of every ``every``-th module of a provider package."""
    root = importlib.import_module(package)
    modules = sorted(m.name for m in pkgutil.iter_modules(root.__path__) if not m.name.startswith("_"))
    picked = []
    for name in modules[::every]:
        mod = importlib.import_module(f"{package}.{name}")
        # Class names from file names, read through the package (never importing a file directly:
        # that can leave a lazily loaded provider package without its classes).
        for info in sorted(pkgutil.iter_modules(getattr(mod, "__path__", [])), key=lambda m: m.name):
            if info.name.startswith(("_", "get_")) or info.ispkg:
                continue
            cls = getattr(mod, "".join(part[:1].upper() + part[1:] for part in info.name.split("_")), None)
            if isinstance(cls, type) and issubclass(cls, pulumi.CustomResource) and constructible(cls):
                picked.append(cls)
                break
    return picked


def args_class(cls: type) -> type:
    module = importlib.import_module(cls.__module__)
    return next(
        c
        for c in (getattr(module, f"{cls.__name__}{suffix}", None) for suffix in ("InitArgs", "Args"))
        if isinstance(c, type) and c.__module__ == cls.__module__
    )


def constructible(cls: type) -> bool:
    """An input named ``resource_name`` collides with the constructor's own parameter (an SDK limit)."""
    return "resource_name" not in inspect.signature(args_class(cls).__init__).parameters


def _arms(hint: Any) -> list[Any]:
    if typing.get_origin(hint) is typing.Union or type(hint).__name__ == "UnionType":
        return [a for a in typing.get_args(hint) if a is not type(None)]
    return [hint]


def sample(hint: Any, full: bool, depth: int = 0) -> Any:
    """A value of an input type hint (``Input[T]`` and ``Optional`` unwrapped to their first arm)."""
    arm = _arms(hint)[0]
    origin = typing.get_origin(arm)
    args = typing.get_args(arm)
    if origin in (list, Sequence, typing.Sequence, tuple):
        return [sample(args[0], full, depth)] if args else []
    if origin in (dict, Mapping, typing.Mapping):
        return {"k": sample(args[1], full, depth)} if len(args) == 2 else {}
    if origin is not None and origin.__name__ in ("Awaitable", "Output"):
        return sample(args[0], full, depth)
    if isinstance(arm, type):
        if issubclass(arm, enum.Enum):
            return next(iter(arm)).value
        if arm is bool:
            return True
        if arm is int:
            return 1
        if arm is float:
            return 1.5
        if arm is str:
            return "x"
        if _types.is_input_type(arm):
            return build(arm, full, depth + 1) if depth < MAX_DEPTH else None
    return None


@functools.cache
def _parameters(callable_: Callable[..., Any]) -> list[tuple[str, Any, bool]]:
    module = importlib.import_module(callable_.__module__)
    namespace = {**vars(pulumi), **vars(module), "T": Any, "T_co": Any, "T_contra": Any}
    hints = typing.get_type_hints(callable_, globalns=namespace)
    out = []
    for name, param in inspect.signature(callable_).parameters.items():
        if name in ("self", "__self__", "opts") or param.kind not in (
            param.POSITIONAL_OR_KEYWORD,
            param.KEYWORD_ONLY,
        ):
            continue
        out.append((name, hints.get(name, Any), param.default is inspect.Parameter.empty))
    return out


def build(args_cls: type, full: bool, depth: int) -> Any:
    kwargs = {}
    for name, hint, required in _parameters(args_cls.__init__):
        if name == "resource_name" and not required:
            # an input named like the resource's own name (azure-native managedidentity
            # UserAssignedIdentityArgs.resource_name): the SDK's (name, args) form passes it to
            # _internal_init, which takes it as `resource_name_`, twice named: a TypeError in the SDK
            continue
        if required or full:
            value = sample(hint, full, depth)
            if value is not None or required:
                kwargs[name] = value
    return args_cls(**kwargs)


def construct(cls: type, full: bool, name: str) -> Callable[[], None]:
    args = build(args_class(cls), full, 0)

    def program() -> None:
        cls(name, args)  # the (resource_name, args) form: input names may clash with keyword parameters

    return program


def classes_under_test() -> dict[str, list[tuple[str, type, bool]]]:
    groups: dict[str, list[tuple[str, type, bool]]] = {"repository-minimal": [], "repository-full": []}
    for token in repository_types():
        cls = resource_class(token)
        assert cls is not None, f"{token}: no SDK class found for a type the stacks use"
        groups["repository-minimal"].append((token, cls, False))
        groups["repository-full"].append((token, cls, True))
    for short, package in PACKAGES.items():
        groups[f"sample-{short}"] = [
            (f"{c.__module__}.{c.__name__}", c, True) for c in sampled_classes(package)
        ]
    return groups


GROUPS = classes_under_test()


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_registering_resource_classes_never_crashes(group: str) -> None:
    """One program registers the whole group; each resource is named after its class, so a crash
    in the SDK's output translation (its message carries the resource name) names the class."""
    cases = GROUPS[group]
    programs = [construct(cls, full, f"{i:03d}-{cls.__name__}") for i, (_, cls, full) in enumerate(cases)]

    def program() -> None:
        for make in programs:
            make()

    result = preview_program(program, config=CONFIG)
    registered = {r.name: r for r in result.resources}
    for i, (label, cls, _) in enumerate(cases):
        res = registered[f"{i:03d}-{cls.__name__}"]
        assert res.outputs is not None, label


def test_the_sample_is_broad() -> None:
    assert len(GROUPS["repository-minimal"]) >= 50
    assert len(GROUPS["sample-aws"]) >= 50
    assert len(GROUPS["sample-azure-native"]) >= 50


def test_user_assigned_identities_list_in_map_out() -> None:
    """The case that crashed every customer-managed-key setup on Azure."""
    import pulumi_azure_native as azure

    def program() -> None:
        rg = azure.resources.ResourceGroup("rg")
        uai = azure.managedidentity.UserAssignedIdentity("id", resource_group_name=rg.name)
        azure.storage.StorageAccount(
            "sa",
            resource_group_name=rg.name,
            kind="StorageV2",
            sku={"name": "Standard_LRS"},
            identity={"type": "UserAssigned", "user_assigned_identities": [uai.id]},
        )
        azure.sql.Server(
            "sql",
            resource_group_name=rg.name,
            identity={"type": "UserAssigned", "user_assigned_identities": ["/subscriptions/s/id"]},
        )

    result = preview_program(program, config=CONFIG)
    (sql,) = result.by_type("azure-native:sql:Server")
    assert sql.outputs is not None
    assert sql.outputs["identity"]["userAssignedIdentities"] == {
        "/subscriptions/s/id": {
            "clientId": "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
            "principalId": "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        }
    }
