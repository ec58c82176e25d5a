"""Schema-checked CSV reading: every problem names the file, the line and the column."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


class DataFileError(ValueError):
    """A data file that does not follow its schema."""

    def __init__(self, path: Path | str, line: int, column: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.column = column
        where = f"{self.path}, line {line}" + (f", column {column}" if column else "")
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Column:
    """One column: its parser and the values it allows.

    ``kind`` is one of str, int, float, bool, choice. Numbers outside ``[low, high]`` are refused
    because a catalog typo (a bandwidth of 93600 GB/s) must not silently become a recommendation.
    """

    name: str
    kind: str = "str"
    required: bool = False
    low: float | None = None
    high: float | None = None
    choices: Sequence[str] = ()

    def parse(self, raw: str) -> Any:
        text = raw.strip()
        if not text:
            if self.required:
                raise ValueError("a value is required here")
            return None
        if self.kind == "str":
            return text
        if self.kind == "choice":
            if text not in self.choices:
                raise ValueError(f"{text!r} is not one of {', '.join(self.choices)}")
            return text
        if self.kind == "bool":
            lowered = text.lower()
            if lowered in ("true", "yes", "1"):
                return True
            if lowered in ("false", "no", "0"):
                return False
            raise ValueError(f"{text!r} is not a yes/no value (true, false, yes, no)")
        converter: Callable[[str], float] = int if self.kind == "int" else float
        try:
            value = converter(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a{'n integer' if self.kind == 'int' else ' number'}") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{text!r} is not a finite number")
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            raise ValueError(f"{text} is outside the plausible range {self.low:g}–{self.high:g}")
        return value


def read_rows(path: Path, columns: Sequence[Column]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, row)`` with every value parsed; raise DataFileError on the first problem."""
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise DataFileError(path, 0, None, f"cannot be read ({exc.strerror})") from None
    with handle:
        yield from _rows(handle, path, columns)


def read_text_rows(text: str, name: str, columns: Sequence[Column]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The same checks for a file a person uploaded; errors name the file as they know it."""
    yield from _rows(io.StringIO(text, newline=""), name, columns)


def _rows(handle: Iterable[str], path: Path | str, columns: Sequence[Column]) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        raise DataFileError(path, 1, None, "the file is empty; a header row is expected") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise DataFileError(path, 1, None, f"is not readable CSV ({exc})") from None
    header = [name.strip() for name in header]
    missing = [col.name for col in columns if col.name not in header]
    if missing:
        raise DataFileError(path, 1, None, f"missing column(s): {', '.join(missing)}")
    positions = {col.name: header.index(col.name) for col in columns}
    start_line = reader.line_num
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as exc:
            raise DataFileError(path, start_line + 1, None, f"is not readable CSV ({exc})") from None
        line = start_line + 1
        start_line = reader.line_num
        if not any(field.strip() for field in fields):
            continue
        if len(fields) != len(header):
            raise DataFileError(path, line, None, f"has {len(fields)} fields, the header has {len(header)}")
        row: dict[str, Any] = {}
        for col in columns:
            index = positions[col.name]
            try:
                row[col.name] = col.parse(fields[index])
            except ValueError as exc:
                raise DataFileError(path, line, index + 1, f"{col.name}: {exc}") from None
        yield line, row


def split_list(value: str | None) -> tuple[str, ...]:
    """Cells that hold several values separate them with ' | '."""
    if not value:
        return ()
    return tuple(part.strip() for part in value.split("|") if part.strip())
