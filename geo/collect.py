"""The problem list of one validated file: problems by frame position, reported with spreadsheet rows.

Four outcomes for a row, from what the rules add here:

- ``error``: the row is rejected (it goes to the report, not the store);
- ``review``: the row is kept but must not be published until a person has looked at
  it (an unknown category, an archive marker, a test entry); its reasons are kept;
- ``warning``: the row is stored and the report explains what was changed or dropped;
- ``note``: the row is stored as is; the report says what a value became (opening hours
  read from German, a house number split off the street).
"""

from __future__ import annotations

from collections import defaultdict

from geo.readers.tabular import RawTable
from geo.schema import Problem

SEVERITIES = ("error", "review", "duplicate", "warning", "note")


class Collector:
    """Problems of one file, keyed by frame position and reported with spreadsheet row numbers."""

    def __init__(self, raw: RawTable):
        self.raw = raw
        self.problems: list[Problem] = list(raw.problems)
        self.rejected: set[int] = set()  # frame positions
        self.review: dict[int, list[str]] = defaultdict(list)  # frame position -> reasons

    def add(self, pos: int, column: str, value: str, message: str, suggestion: str = "", severity: str = "error"):
        """One problem of one row; ``column`` is a field name (shown as the file's header) or a header."""
        header = self.raw.columns.get(column, column)
        self.problems.append(Problem(self.raw.file, self.raw.row_numbers[pos], header, value, message, suggestion,
                                     severity))
        if severity == "error":
            self.rejected.add(pos)
        elif severity == "review":
            reason = f"{header}: {message}" if header else message
            if reason not in self.review[pos]:
                self.review[pos].append(reason)
