"""Text that people wrote (a display name, a cohort name) going into a CSV file stays text when
a spreadsheet opens the file: a cell that would begin a formula (=, +, -, @, a tab or a
carriage return) is prefixed with an apostrophe, as OWASP advises against CSV injection."""

from __future__ import annotations

from typing import Any

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """``value`` as a CSV cell that no spreadsheet runs; numbers and other values as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: dict[str, Any]) -> dict[str, Any]:
    """Every cell of a CSV row through :func:`spreadsheet_safe`."""
    return {key: spreadsheet_safe(value) for key, value in row.items()}
