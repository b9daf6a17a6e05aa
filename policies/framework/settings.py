"""Settings rules: one input of a resource must have an acceptable value, with the provider's default when unset.

Most baseline rules read one input (``dropInvalidHeaderFields``, ``siteConfig.ftpsState``...)
and accept some values. :func:`require` builds that check from the input's dotted path,
the test on its value, the message, and the value the provider applies when the input is
unset. Defaults are data: each cloud declares them once in a :class:`Defaults` table with
where they are documented, and a rule asks the table (:meth:`Defaults.of`), so an
undeclared default is an error when the pack loads, not a silent guess.

An unknown value (or an unknown object on the path) is "could not decide"; an unset value
with no declared default is passed to the test as ``None``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from policies.framework.builders import Ctx, ResourceCheck
from policies.framework.unknowns import is_unknown, need
from policies.framework.values import present

UNSET: Final = object()
"""No declared default: an unset input reaches the test as ``None``."""


@dataclass(frozen=True)
class ProviderDefault:
    """The value a provider applies to an unset input, and where that is documented."""

    type: str
    """The resource type token."""
    path: str
    """The input's dotted path in the engine's (camelCase) inputs."""
    value: Any
    documented: str
    """The words of the provider's documentation (as the installed SDK carries them) that state the default."""
    source: str
    """The documentation page (URL), for the API version the SDK uses."""


class Defaults:
    """A cloud's table of provider defaults, looked up by (type token, path)."""

    def __init__(self, entries: Iterable[ProviderDefault]) -> None:
        self.entries: Final = tuple(entries)
        self._by_key: dict[tuple[str, str], ProviderDefault] = {}
        for e in self.entries:
            key = (e.type, e.path)
            if key in self._by_key:
                raise ValueError(f"provider default {e.type} {e.path} is declared twice")
            self._by_key[key] = e

    def of(self, type_: str, path: str) -> Any:
        """The declared default value (KeyError when none is declared: declare it with its source)."""
        try:
            return self._by_key[(type_, path)].value
        except KeyError:
            raise KeyError(f"no provider default declared for {type_} {path}") from None

    def __iter__(self) -> Iterator[ProviderDefault]:
        return iter(self.entries)


def value_at(props: Mapping[str, Any], path: str, default: Any = UNSET) -> Any:
    """The input at a dotted path (Undecided when it or an object on the way is unknown); unset -> default."""
    cur: Any = props
    walked: list[str] = []
    for step in path.split("."):
        walked.append(step)
        need(cur, ".".join(walked[:-1]) or step)
        if not isinstance(cur, Mapping):
            cur = None
            break
        cur = cur.get(step)
        if cur is None:
            break
    need(cur, path)
    if cur is None:
        return None if default is UNSET else default
    return cur


def require(
    path: str,
    ok: Callable[[Any], bool],
    problem: str,
    default: Any = UNSET,
    applies: Callable[[Mapping[str, Any], Ctx], bool] | None = None,
) -> ResourceCheck:
    """A check that ``ok(value)`` holds for the input at ``path`` (``default`` when unset).

    ``problem`` may name ``{value}`` (the value read, or "not set"). ``applies(props, ctx)``
    limits the check to some resources (production only, personal data only...).
    """

    def check(ctx: Ctx) -> Iterator[str]:
        if applies is not None and not applies(ctx.props, ctx):
            return
        value = value_at(ctx.props, path, default)
        if not ok(value):
            shown = "not set" if value is None else value
            yield problem.format(value=shown)

    return check


def given(props: Mapping[str, Any], path: str) -> bool:
    """Whether the input at a dotted path is set: an unknown value (or object on the way) counts as set."""
    cur: Any = props
    for step in path.split("."):
        if is_unknown(cur):
            return True
        if not isinstance(cur, Mapping):
            return False
        cur = cur.get(step)
        if cur is None:
            return False
    return present(cur)


def require_given(path: str, problem: str) -> ResourceCheck:
    """A check that the input at ``path`` is set (an ARN or id computed at apply time counts as set)."""

    def check(ctx: Ctx) -> Iterator[str]:
        if not given(ctx.props, path):
            yield problem

    return check


def equals(*accepted: Any) -> Callable[[Any], bool]:
    """A test accepting the given values (strings compared case-insensitively; ``"true"`` for ``True``)."""
    wanted = {_norm(a) for a in accepted}
    return lambda value: value is not None and _norm(value) in wanted


def _norm(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return value.strip().lower()
    return value
