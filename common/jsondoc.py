"""Reading a JSON document from a file or the wire: one size cap, one set of checks.

Every reader of settings, bundles, records and messages used to do "check the
size, ``json.loads``, check it is an object" by itself, each a little differently.
Here it is once, strict where the standard library is lenient:

- larger than the reader's limit: refused before parsing (and before reading the
  rest of a file);
- ``NaN``, ``Infinity`` and numbers too large for a float (``1e999``) are refused:
  they are not JSON, and would pass every range check as ``nan`` or ``inf``;
- nesting so deep that the parser recurses out of stack is refused, not a crash;
- the top level must be an object.

Each reader turns :class:`JsonDocInvalid` into its own error where it has one, so a
person still reads what was damaged ("the settings file", "the bundle").
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from common.errors import KlasgenootError


class JsonDocInvalid(KlasgenootError):
    """Deze gegevens zijn beschadigd of te groot en zijn niet gebruikt."""


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def loads(data: bytes | bytearray | str, *, limit: int) -> dict[str, Any]:
    """The JSON object in ``data`` (at most ``limit`` bytes, or characters for text);
    JsonDocInvalid naming what is wrong otherwise."""
    if len(data) > limit:
        raise JsonDocInvalid("too large")
    try:
        doc = json.loads(data, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError as exc:
        raise JsonDocInvalid("nested too deeply") from exc
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        raise JsonDocInvalid("not JSON") from exc
    if not isinstance(doc, dict):
        raise JsonDocInvalid("not an object")
    return doc


def read(path: Path, *, limit: int) -> dict[str, Any]:
    """The JSON object in the file at ``path``; reads at most ``limit + 1`` bytes.

    OSError (FileNotFoundError too) is left to the caller: a missing file means
    something different to each reader."""
    with path.open("rb") as file:
        data = file.read(limit + 1)
    return loads(data, limit=limit)
