"""A small evaluator of ARM template expressions, as Azure Policy uses them (``[if(...)]``, ``[parameters('x')]``).

Enough of the language for what the policy library needs to know offline (an initiative member's
effect such as ``[if(contains(parameters('types'), 'microsoft.x/y'), parameters('effect'), 'Disabled')]``)
and for the tests that evaluate policy rules (``field()``, ``current()``, ``split``, ``int``...).
Functions follow https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions.
A function Kasbah does not implement raises :class:`Unsupported`: callers treat the value as unknown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[(),.\[\]]))"
)


class Unsupported(Exception):
    """The expression uses a function Kasbah does not evaluate, or refers to an unknown value."""


@dataclass
class Context:
    """What ``parameters()``, ``field()`` and ``current()`` return."""

    parameters: Mapping[str, Any] = field(default_factory=dict)
    field: Callable[[str], Any] | None = None
    current: Callable[[str | None], Any] | None = None


def is_expression(value: Any) -> bool:
    return (
        isinstance(value, str)
        and value.startswith("[")
        and value.endswith("]")
        and not value.startswith("[[")
    )


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None:
            raise Unsupported(f"cannot parse {text[pos:]!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (value is not None and tok[1] != value):
            raise Unsupported(f"expected {value!r}")
        self.i += 1
        return tok

    def expr(self) -> Any:
        kind, text = self.take()
        node: Any
        if kind == "str":
            node = ("lit", text[1:-1].replace("''", "'"))
        elif kind == "num":
            node = ("lit", int(text))
        elif kind == "name":
            if text in ("true", "false") and (self.peek() is None or self.peek() != ("op", "(")):
                node = ("lit", text == "true")
            else:
                self.take("(")
                args = []
                if self.peek() != ("op", ")"):
                    args.append(self.expr())
                    while self.peek() == ("op", ","):
                        self.take(",")
                        args.append(self.expr())
                self.take(")")
                node = ("call", text.lower(), args)
        else:
            raise Unsupported(f"unexpected {text!r}")
        while self.peek() in (("op", "."), ("op", "[")):
            if self.take()[1] == ".":
                node = ("prop", node, ("lit", self.take()[1]))
            else:
                index = self.expr()
                self.take("]")
                node = ("prop", node, index)
        return node


def _lower(v: Any) -> Any:
    return v.lower() if isinstance(v, str) else v


def _contains(container: Any, item: Any) -> bool:
    if isinstance(container, str):
        return str(item).lower() in container.lower()
    if isinstance(container, Mapping):
        return any(_lower(k) == _lower(item) for k in container)
    if isinstance(container, list | tuple):
        return any(_lower(x) == _lower(item) for x in container)
    return False


def _call(name: str, args: list[Any], ctx: Context) -> Any:
    def a(i: int) -> Any:
        return _eval(args[i], ctx)

    if name == "if":
        return a(1) if a(0) else a(2)
    if name == "parameters":
        key = a(0)
        if key not in ctx.parameters:
            raise Unsupported(f"parameter {key!r} has no value")
        return ctx.parameters[key]
    if name == "field":
        if ctx.field is None:
            raise Unsupported("field()")
        return ctx.field(a(0))
    if name == "current":
        if ctx.current is None:
            raise Unsupported("current()")
        return ctx.current(a(0) if args else None)
    simple: dict[str, Callable[[], Any]] = {
        "equals": lambda: _lower(a(0)) == _lower(a(1)),
        "contains": lambda: _contains(a(0), a(1)),
        "and": lambda: all(_eval(x, ctx) for x in args),
        "or": lambda: any(_eval(x, ctx) for x in args),
        "not": lambda: not a(0),
        "empty": lambda: a(0) in (None, "", [], {}),
        "concat": lambda: (
            [y for x in args for y in _eval(x, ctx)]
            if args and isinstance(a(0), list)
            else "".join(str(_eval(x, ctx)) for x in args)
        ),
        "tolower": lambda: str(a(0)).lower(),
        "toupper": lambda: str(a(0)).upper(),
        "split": lambda: str(a(0)).split(str(a(1))),
        "first": lambda: a(0)[0],
        "last": lambda: a(0)[-1],
        "int": lambda: int(a(0)),
        "string": lambda: str(a(0)),
        "length": lambda: len(a(0)),
        "less": lambda: a(0) < a(1),
        "lessorequals": lambda: a(0) <= a(1),
        "greater": lambda: a(0) > a(1),
        "greaterorequals": lambda: a(0) >= a(1),
        "replace": lambda: str(a(0)).replace(str(a(1)), str(a(2))),
        "format": lambda: re.sub(
            r"\{(\d+)\}", lambda m: str(_eval(args[int(m.group(1)) + 1], ctx)), str(a(0))
        ),
        "startswith": lambda: str(a(0)).lower().startswith(str(a(1)).lower()),
        "endswith": lambda: str(a(0)).lower().endswith(str(a(1)).lower()),
    }
    fn = simple.get(name)
    if fn is None:
        raise Unsupported(f"{name}()")
    try:
        return fn()
    except (TypeError, ValueError, IndexError, KeyError) as exc:
        raise Unsupported(f"{name}(): {exc}") from None


def _eval(node: Any, ctx: Context) -> Any:
    tag = node[0]
    if tag == "lit":
        return node[1]
    if tag == "call":
        return _call(node[1], node[2], ctx)
    base = _eval(node[1], ctx)
    key = _eval(node[2], ctx)
    try:
        if isinstance(base, Mapping):
            for k, v in base.items():
                if _lower(k) == _lower(key):
                    return v
            raise KeyError(key)
        return base[key]
    except (KeyError, IndexError, TypeError):
        raise Unsupported(f"no member {key!r}") from None


def evaluate(value: Any, ctx: Context) -> Any:
    """``value`` itself, or the result of the expression it holds (``[...]``); :class:`Unsupported` if unknown."""
    if not is_expression(value):
        return value[1:] if isinstance(value, str) and value.startswith("[[") else value
    parser = _Parser(value[1:-1])
    node = parser.expr()
    if parser.peek() is not None:
        raise Unsupported(f"trailing text in {value!r}")
    return _eval(node, ctx)
