"""YAML and config values read as the Pulumi CLI reads them (Go's ``gopkg.in/yaml.v3``).

The CLI decodes Pulumi.yaml and stack files with yaml.v3 into untyped values, then turns
each top-level config value into the string the program receives
(pulumi/pulumi ``sdk/go/common/resource/config/object.go``: ``MarshalString``). Parsed with
ruamel.yaml (YAML 1.2), plain scalars resolved as yaml.v3 resolves them
(go-yaml ``resolve.go``):

- only ``true``/``True``/``TRUE`` and the ``false`` forms are booleans: ``yes``, ``no``, ``on``,
  ``off`` stay strings;
- integers are read with Go's ``strconv.ParseInt(s, 0, 64)`` after removing ``_``: ``0x``,
  ``0o``, ``0b`` prefixes and, kept by yaml.v3 for compatibility, a leading ``0`` means octal
  (``0755`` is 493; an unquoted account id ``011111111111`` is 1227133513: quote it);
- an unquoted date or timestamp is a ``time.Time`` whose config string is Go's
  ``Time.String()`` (``2024-01-01 00:00:00 +0000 UTC``): it never fails;
- objects and arrays reach the program as compact JSON with sorted keys (Go's ``json.Marshal``).
"""

from __future__ import annotations

import datetime
import json
import math
import re
from pathlib import Path
from typing import Any

from kasbah.errors import PreviewError

_INT_RE = re.compile(r"[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_FLOAT_RE = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_DATE_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_TIMESTAMP_RE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt]|[ \t]+)(\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?"
    r"(?:[ \t]*(Z|[-+]\d{1,2}(?::?\d{2})?))?"
)
_SPECIAL: dict[str, Any] = {
    "": None,
    "~": None,
    "null": None,
    "Null": None,
    "NULL": None,
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
    ".nan": math.nan,
    ".NaN": math.nan,
    ".NAN": math.nan,
    ".inf": math.inf,
    ".Inf": math.inf,
    ".INF": math.inf,
    "+.inf": math.inf,
    "+.Inf": math.inf,
    "+.INF": math.inf,
    "-.inf": -math.inf,
    "-.Inf": -math.inf,
    "-.INF": -math.inf,
}
INT64_MIN, UINT64_MAX = -(2**63), 2**64 - 1


PLAIN_TAG = "tag:kasbah,2026:plain"
"""The tag Kasbah's loader gives untagged plain scalars, resolved afterwards as yaml.v3 resolves them."""


class GoTime(str):
    """An unquoted YAML timestamp: its config string is Go's ``time.Time.String()``."""


def _go_parse_int(text: str) -> int | None:
    if not _INT_RE.fullmatch(text):
        return None
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    if body[:2] in ("0x", "0X"):
        value = int(body[2:], 16)
    elif body[:2] in ("0o", "0O"):
        value = int(body[2:], 8)
    elif body[:2] in ("0b", "0B"):
        value = int(body[2:], 2)
    elif len(body) > 1 and body.startswith("0"):
        value = int(body[1:], 8)
    else:
        value = int(body)
    value *= sign
    return value if INT64_MIN <= value <= UINT64_MAX else None


def _go_time(text: str) -> GoTime | None:
    date = _DATE_RE.fullmatch(text)
    if date:
        try:
            day = datetime.date(int(date.group(1)), int(date.group(2)), int(date.group(3)))
        except ValueError:
            return None
        return GoTime(f"{day.isoformat()} 00:00:00 +0000 UTC")
    ts = _TIMESTAMP_RE.fullmatch(text)
    if not ts:
        return None
    try:
        y, mo, d, h, mi, s = (int(ts.group(i)) for i in range(1, 7))
        moment = datetime.datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None
    frac = (ts.group(7) or "").rstrip("0")
    zone = ts.group(8)
    if zone in (None, "Z"):
        suffix = "+0000 UTC"
    else:
        sign = zone[0]
        digits = zone[1:].replace(":", "")
        hours, minutes = (digits[:-2], digits[-2:]) if len(digits) > 2 else (digits, "00")
        offset = f"{sign}{int(hours):02d}{minutes}"
        suffix = f"{offset} {offset}"
    return GoTime(f"{moment:%Y-%m-%d %H:%M:%S}{frac if frac != '.' else ''} {suffix}")


def resolve_plain(text: str) -> Any:
    """A plain (unquoted) scalar as yaml.v3 resolves it into an untyped value."""
    if text in _SPECIAL:
        return _SPECIAL[text]
    if not text or text[0] not in "0123456789+-.":
        return text
    stamp = _go_time(text)
    if stamp is not None:
        return stamp
    plain = text.replace("_", "")
    as_int = _go_parse_int(plain)
    if as_int is not None:
        return as_int
    if _FLOAT_RE.fullmatch(plain):
        return float(plain)
    return text


def _make_loader() -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import SafeConstructor
    from ruamel.yaml.nodes import ScalarNode
    from ruamel.yaml.resolver import VersionedResolver
    from ruamel.yaml.tag import Tag

    class NoImplicitResolver(VersionedResolver):
        """Every untagged scalar is a string here; GoConstructor resolves the plain ones."""

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            if kind is ScalarNode and implicit[0]:
                return Tag(suffix=PLAIN_TAG)
            return super().resolve(kind, value, implicit)

    class GoConstructor(SafeConstructor):
        def construct_plain(self, node: Any) -> Any:
            return resolve_plain(str(self.construct_scalar(node)))

    GoConstructor.add_constructor(PLAIN_TAG, GoConstructor.construct_plain)
    yaml = YAML(typ="safe", pure=True)
    yaml.Resolver = NoImplicitResolver  # no implicit typing: plain scalars are resolved as yaml.v3 does
    yaml.Constructor = GoConstructor
    return yaml


def load(path: Path, text: str) -> Any:
    """Parse one YAML document; a syntax error is one line naming the file and position."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        return _make_loader().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise PreviewError(f"{path}: malformed YAML{where}: {problem}") from None
    except YAMLError as exc:
        first = (str(exc).strip().splitlines() or ["invalid YAML"])[0]
        raise PreviewError(f"{path}: malformed YAML: {first}") from None


def read_text(path: Path, what: str = "file") -> str:
    """A UTF-8 text file; unreadable or not UTF-8 is one line naming the file and the fix."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise PreviewError(f"{path}: cannot read {what} ({exc.strerror or exc})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PreviewError(
            f"{path}: not UTF-8 (byte 0x{data[exc.start]:02x} on line {line}). Fix: save the {what} as UTF-8."
        ) from None


def go_json(value: Any) -> str:
    """``json.Marshal`` as Go writes it: compact, sorted keys, ``<``, ``>``, ``&`` escaped, floats like Go."""
    text = json.dumps(_go_floats(value), separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _go_floats(value: Any) -> Any:
    """Integral floats become ints, so that ``2.0`` is written ``2`` as Go writes it."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise PreviewError(f"unsupported value: {value} (JSON has no NaN or infinity)")
        return int(value) if value.is_integer() and abs(value) < 1e21 else value
    if isinstance(value, dict):
        return {str(k): _go_floats(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_go_floats(v) for v in value]
    return value


def go_float(value: float) -> str:
    """A float64 as Go's ``encoding/json`` writes it (``strconv.FormatFloat(f, 'f' or 'e', -1)``)."""
    if math.isnan(value) or math.isinf(value):
        raise PreviewError(f"unsupported value: {value} (JSON has no NaN or infinity)")
    if value == 0:
        return "0" if math.copysign(1, value) > 0 else "-0"
    magnitude = abs(value)
    if magnitude < 1e-6 or magnitude >= 1e21:
        text = repr(value)
        mantissa, _, exponent = text.partition("e")
        if not exponent:
            text = f"{value:e}"
            mantissa, _, exponent = text.partition("e")
            mantissa = mantissa.rstrip("0").rstrip(".")
        sign = "-" if exponent.startswith("-") else "+"
        digits = exponent.lstrip("+-").lstrip("0") or "0"
        return f"{mantissa.removesuffix('.0')}e{sign}{digits.zfill(2)}"
    text = repr(value)
    if "e" in text or "E" in text:
        text = f"{value:.17f}".rstrip("0").rstrip(".")
    return text[:-2] if text.endswith(".0") else text


def config_string(value: Any) -> str:
    """The string a program receives for a config value (``object.MarshalString``)."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    return go_json(value)
