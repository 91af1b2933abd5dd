"""Find the header of a list as people lay it out: title rows, notes, two-row headers, merged cells.

Coordinators' spreadsheets start with "Angebote für Geflüchtete in Kaiserslautern",
a "Stand: März 2024" line and a blank row before the header; they group columns under
a merged "Adresse" cell with "Straße | Hausnummer | PLZ | Ort" below it, and merge the
"Träger" cell over all rows of one organisation. :func:`locate_header` finds the header
row(s) among the first rows, resolves merged group headers to their sub-headers, fills
merged data cells into every row they cover, and reports the rows it skipped, so nothing
is dropped without a word.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from geo.readers.columns import EXTRA_FIELDS, HEADER_ALIASES, header_key

# The header is looked for in this many first rows.
SEARCH_ROWS = 25

_KNOWN = {header_key(a) for aliases in (*HEADER_ALIASES.values(), *EXTRA_FIELDS.values()) for a in aliases}


@dataclass(frozen=True)
class Merged:
    """A merged cell range, 0-based and inclusive (openpyxl's min/max row/col minus one)."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int

    @property
    def width(self) -> int:
        return self.last_col - self.first_col + 1


@dataclass
class HeaderLayout:
    """Where the header is and what the columns are called.

    ``headers`` has one name per column (sub-headers win over their merged group header);
    ``groups`` maps a column to the merged group header above it ("Adresse");
    ``first_data_row`` is the 0-based grid row after the header; ``skipped`` lists
    (0-based row, text) of non-blank rows above the header; ``sections`` the rows inside
    the data that are section headings (one merged cell across the row) and were not read
    as offers.
    """

    headers: list[str]
    header_rows: tuple[int, ...]
    first_data_row: int
    groups: dict[int, str] = field(default_factory=dict)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    sections: list[tuple[int, str]] = field(default_factory=list)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _score(row: list[str]) -> tuple[int, int]:
    """(recognised header names, other short text cells) of a row."""
    cells = [c for c in (_text(v) for v in row) if c]
    known = sum(1 for c in cells if header_key(c) in _KNOWN)
    texty = sum(1 for c in cells if len(c) <= 60 and not c.replace(",", "").replace(".", "").isdigit())
    return known, texty


def locate_header(grid: list[list[str]], merged: list[Merged] | None = None) -> HeaderLayout:
    """Find the header in ``grid`` (rows of cell text, merged cells holding only their top-left value).

    ``grid`` is changed in place: merged data cells are filled into every row they cover.
    The header row is the one among the first :data:`SEARCH_ROWS` with the most
    recognised column names (then the most short text cells); a title or note row has
    one cell and loses. A row right above or below it that holds group headers (merged
    across columns, or written over blank cells) makes a two-row header.
    """
    merged = list(merged or [])
    width = max((len(r) for r in grid), default=0)
    for row in grid:
        row.extend([""] * (width - len(row)))
    limit = min(len(grid), SEARCH_ROWS)
    best, best_score = None, (-1, -1)
    for r in range(limit):
        known, texty = _score(grid[r])
        if texty < 2 and known < 2:
            continue
        score = (known, texty)
        if score > best_score:
            best, best_score = r, score
    if best is None:
        best = next((r for r in range(len(grid)) if any(_text(c) for c in grid[r])), 0)
    top, sub = _header_pair(grid, merged, best)
    header_rows = (top,) if sub is None else (top, sub)
    last = header_rows[-1]
    groups: dict[int, str] = {}
    horizontal = {(m.first_row, c): m for m in merged if m.width > 1 for c in range(m.first_col, m.last_col + 1)}
    headers: list[str] = []
    for c in range(width):
        upper = _merged_value(grid, horizontal, top, c)
        lower = _text(grid[sub][c]) if sub is not None else ""
        if sub is None:
            headers.append(upper)
            continue
        if lower and upper and lower != upper:
            groups[c] = upper
            # "Adresse" over "Straße": the sub-header names the column; an unknown sub-header
            # under a known group ("Kontakt" over "Frau Yilmaz") keeps both words.
            headers.append(lower if header_key(lower) in _KNOWN or header_key(upper) not in _KNOWN
                           else f"{upper} {lower}")
        else:
            headers.append(lower or upper)
    skipped = [(r, " | ".join(t for t in (_text(c) for c in grid[r]) if t)) for r in range(top)
               if any(_text(c) for c in grid[r])]
    sections = _fill_data_merges(grid, merged, last + 1, width)
    return HeaderLayout(headers=headers, header_rows=header_rows, first_data_row=last + 1, groups=groups,
                        skipped=skipped, sections=sections)


def _merged_value(grid, horizontal, row: int, col: int) -> str:
    m = horizontal.get((row, col))
    return _text(grid[m.first_row][m.first_col]) if m else _text(grid[row][col])


def _header_pair(grid: list[list[str]], merged: list[Merged], row: int) -> tuple[int, int | None]:
    """The header rows around ``row``: (top, sub) for a two-row header, else (row, None)."""
    def groups_over(upper: int, lower: int) -> bool:
        if lower >= len(grid) or upper < 0:
            return False
        spans = [m for m in merged if m.first_row == upper and m.width > 1]
        lower_texts = [_text(c) for c in grid[lower]]
        if spans:
            return any(sum(1 for c in range(m.first_col, m.last_col + 1) if lower_texts[c]) >= 2 for m in spans)
        # without merges: group words over blank cells, with sub-headers under them
        upper_texts = [_text(c) for c in grid[upper]]
        gaps = [c for c, t in enumerate(upper_texts) if not t and lower_texts[c]]
        known_below = sum(1 for t in lower_texts if t and header_key(t) in _KNOWN)
        return bool(gaps) and known_below >= 2 and sum(1 for t in upper_texts if t) >= 1 and \
            any(upper_texts[c] for c in range(min(gaps), -1, -1))

    if groups_over(row - 1, row) and _score(grid[row - 1])[1] >= 1 and _is_group_row(grid, merged, row - 1):
        return row - 1, row
    if groups_over(row, row + 1) and _looks_like_headers(grid[row + 1]) and _is_group_row(grid, merged, row):
        return row, row + 1
    return row, None


def _looks_like_headers(row: list[str]) -> bool:
    """Most cells are column names we know (one-letter names such as "x" do not count)."""
    cells = [t for t in (_text(c) for c in row) if t]
    known = sum(1 for t in cells if len(t) >= 3 and header_key(t) in _KNOWN)
    return known >= 2 and known * 2 > len(cells)


def _is_group_row(grid, merged, row: int) -> bool:
    """A row of group headers: some merged across columns, or short words each over a blank
    neighbour with a sub-header below it (a merged header saved as CSV)."""
    if any(m.first_row == row and m.width > 1 for m in merged):
        return True
    cells = [_text(c) for c in grid[row]]
    below = [_text(c) for c in grid[row + 1]] if row + 1 < len(grid) else []
    filled = [c for c, t in enumerate(cells) if t]
    spans = [c for c in filled if c + 1 < len(cells) and not cells[c + 1] and below and below[c + 1]]
    return bool(spans) and all(len(cells[c]) <= 40 and not any(ch.isdigit() for ch in cells[c]) for c in filled)


def _fill_data_merges(grid: list[list[str]], merged: list[Merged], first: int, width: int) -> list[tuple[int, str]]:
    """Copy each merged data cell's value into every cell it covers; return section-heading rows.

    A range that covers more than half of a row's columns on one row is a section heading
    ("Beratungsstellen"), not an offer: its row is emptied and listed.
    """
    sections = []
    for m in merged:
        if m.last_row < first:
            continue
        value = grid[m.first_row][m.first_col]
        if m.first_row == m.last_row and m.width * 2 > width:
            sections.append((m.first_row, _text(value)))
            grid[m.first_row] = [""] * width
            continue
        for r in range(max(m.first_row, first), min(m.last_row, len(grid) - 1) + 1):
            for c in range(m.first_col, min(m.last_col, width - 1) + 1):
                if not _text(grid[r][c]):
                    grid[r][c] = value
    return sorted(sections)
