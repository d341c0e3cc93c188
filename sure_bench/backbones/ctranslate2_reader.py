"""Pure-numpy reader for CTranslate2 ``model.bin`` files (no ctranslate2 needed).

File layout (little-endian, binary versions 4-6 as written by
``ctranslate2.specs.ModelSpec._serialize``)::

    u32 binary_version
    str spec_name
    u32 revision
    u32 num_variables
    num_variables x { str name; u8 rank; u32 dims[rank]; u8 dtype; u32 nbytes; bytes }
    u32 num_aliases
    num_aliases x { str alias; str target }

where ``str`` is a u16 length (counting a trailing NUL) followed by that many bytes.

The file is read once into memory and every array is a zero-copy, read-only
``numpy.frombuffer`` view into that single buffer, so peak memory is about the
file size.  Copy (``np.array(x)``) or cast (``x.astype(...)``) before mutating.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["Ct2Header", "read_ct2_header", "read_ct2_model", "parse_ct2_model"]

SUPPORTED_BINARY_VERSIONS = range(4, 7)

# Type ids from ctranslate2.specs.model_spec._dtype_to_type_id.
_DTYPES: dict[int, np.dtype] = {
    0: np.dtype("<f4"),
    1: np.dtype("i1"),
    2: np.dtype("<i2"),
    3: np.dtype("<i4"),
    4: np.dtype("<f2"),
    # bfloat16 has no numpy dtype: returned as raw uint16 bit patterns.
    5: np.dtype("<u2"),
}
BFLOAT16_TYPE_ID = 5


@dataclass(frozen=True)
class Ct2Header:
    """Metadata found at the start of a CTranslate2 ``model.bin``."""

    binary_version: int
    spec_name: str
    revision: int
    num_variables: int


class _Cursor:
    """Bounds-checked little-endian reader over a bytes buffer."""

    def __init__(self, data: bytes | memoryview, source: str) -> None:
        self.data = data
        self.pos = 0
        self.source = source

    def fail(self, why: str) -> ValueError:
        return ValueError(f"{self.source}: not a valid CTranslate2 model.bin ({why} at byte {self.pos})")

    def take(self, n: int, what: str) -> int:
        """Reserve ``n`` bytes and return their start offset."""
        if n < 0 or self.pos + n > len(self.data):
            raise self.fail(f"unexpected end of file while reading {what}")
        start = self.pos
        self.pos += n
        return start

    def unpack(self, fmt: str, what: str) -> int:
        size = struct.calcsize(fmt)
        (value,) = struct.unpack_from(fmt, self.data, self.take(size, what))
        return value

    def u8(self, what: str) -> int:
        return self.unpack("<B", what)

    def u16(self, what: str) -> int:
        return self.unpack("<H", what)

    def u32(self, what: str) -> int:
        return self.unpack("<I", what)

    def string(self, what: str) -> str:
        length = self.u16(f"{what} length")
        if length == 0:
            raise self.fail(f"zero-length {what}")
        start = self.take(length, what)
        raw = bytes(self.data[start : start + length])
        if raw[-1] != 0:
            raise self.fail(f"{what} is not NUL-terminated")
        try:
            return raw[:-1].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise self.fail(f"{what} is not valid UTF-8") from exc


def _read_header(cur: _Cursor) -> Ct2Header:
    version = cur.u32("binary version")
    if version not in SUPPORTED_BINARY_VERSIONS:
        raise cur.fail(
            f"unsupported binary version {version}; supported: "
            f"{SUPPORTED_BINARY_VERSIONS.start}-{SUPPORTED_BINARY_VERSIONS.stop - 1}"
        )
    spec = cur.string("spec name")
    revision = cur.u32("spec revision")
    count = cur.u32("variable count")
    return Ct2Header(version, spec, revision, count)


def parse_ct2_model(
    data: bytes | memoryview, source: str = "<bytes>"
) -> tuple[Ct2Header, dict[str, np.ndarray]]:
    """Parse an in-memory ``model.bin``; arrays are read-only views into ``data``."""
    cur = _Cursor(data, source)
    header = _read_header(cur)
    variables: dict[str, np.ndarray] = {}
    for index in range(header.num_variables):
        name = cur.string(f"name of variable {index}")
        rank = cur.u8(f"rank of {name!r}")
        shape = tuple(cur.u32(f"dimension {d} of {name!r}") for d in range(rank))
        type_id = cur.u8(f"dtype of {name!r}")
        if type_id not in _DTYPES:
            raise cur.fail(f"unknown dtype id {type_id} for variable {name!r}")
        dtype = _DTYPES[type_id]
        nbytes = cur.u32(f"byte count of {name!r}")
        count = int(np.prod(shape, dtype=np.int64))
        if nbytes != count * dtype.itemsize:
            raise cur.fail(
                f"variable {name!r} has shape {shape} and dtype {dtype} "
                f"but {nbytes} bytes"
            )
        if name in variables:
            raise cur.fail(f"duplicate variable {name!r}")
        offset = cur.take(nbytes, f"data of {name!r}")
        variables[name] = np.frombuffer(data, dtype=dtype, count=count, offset=offset).reshape(shape)
    num_aliases = cur.u32("alias count")
    for index in range(num_aliases):
        alias = cur.string(f"alias {index}")
        target = cur.string(f"target of alias {alias!r}")
        if target not in variables:
            raise cur.fail(f"alias {alias!r} points to unknown variable {target!r}")
        variables[alias] = variables[target]
    if cur.pos != len(data):
        raise cur.fail(f"{len(data) - cur.pos} trailing bytes after the alias table")
    return header, variables


def read_ct2_header(path: str | os.PathLike[str]) -> Ct2Header:
    """Read only the header (version, spec name, revision, variable count)."""
    path = Path(path)
    with open(path, "rb") as handle:
        head = handle.read(4 + 2 + 65535 + 8)
    cur = _Cursor(head, str(path))
    return _read_header(cur)


def read_ct2_model(
    path: str | os.PathLike[str], *, with_header: bool = False
) -> dict[str, np.ndarray] | tuple[Ct2Header, dict[str, np.ndarray]]:
    """Read all variables of a CTranslate2 ``model.bin`` (aliases resolved).

    Returns ``{name: array}``; with ``with_header=True`` returns ``(header, variables)``.
    Raises ``ValueError`` naming ``path`` on truncated or malformed files.
    bfloat16 variables (type id 5) are returned as their raw ``uint16`` bits.
    """
    path = Path(path)
    data = path.read_bytes()
    header, variables = parse_ct2_model(data, str(path))
    return (header, variables) if with_header else variables
