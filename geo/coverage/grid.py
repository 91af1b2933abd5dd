"""Reading a Zensus population grid CSV (100 m, 1 km or 10 km cells, EPSG:3035).

The statistical offices publish the grids as semicolon-separated text:

    GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner
    CRS3035RES100mN2689100E4337000;4337050;2689150;23
    CRS3035RES100mN2689200E4337000;4337050;2689250;–

``x_mp_*``/``y_mp_*`` are the cell centres (metres, ETRS89-LAEA, EPSG:3035).
Files without them are located by the cell id (Zensus 2022
``CRS3035RES100mN…E…`` in metres, Zensus 2011 ``100mN…E…`` in cell units;
both name the lower-left corner). Suppressed or unknown values are marked
"–", "-", "—", ".", "x", "/", left empty, or negative (Zensus 2011 wrote -1);
they are kept with population NaN. Decimal commas are accepted.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from geo.schema import Problem

GRID_CRS = "EPSG:3035"
SUPPRESSED = frozenset({"", "-", "–", "—", ".", "x", "X", "/", "*"})
_ID_RE = re.compile(r"^(?P<crs>CRS3035RES)?(?P<size>\d+)(?P<unit>m|km)N(?P<n>\d+)E(?P<e>\d+)$")
_CHUNK_ROWS = 500_000
_MAX_PROBLEMS = 5


class GridError(ValueError):
    """A population grid file that cannot be read; ``problems`` name file, row and column."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        self.problems = problems or []
        lines = [message] + [f"  {p}" for p in self.problems]
        super().__init__("\n".join(lines))


def read_zensus_grid(path: str | Path, column: str | None = None,
                     bounds: tuple[float, float, float, float] | None = None) -> pd.DataFrame:
    """Read a Zensus grid CSV into x, y (cell centres, EPSG:3035) and population.

    Parameters
    ----------
    path
        The CSV file (UTF-8 or Windows-1252).
    column
        The population column; default "Einwohner" (any case).
    bounds
        Optional (xmin, ymin, xmax, ymax) in EPSG:3035: only cells whose centre
        lies inside are kept (a town needs a few thousand of Germany's 3 million cells).

    Returns
    -------
    pandas.DataFrame
        Columns x, y, population (NaN for suppressed cells); ``attrs`` holds
        ``cell_size_m``, ``rows`` (data rows read) and ``suppressed``.

    Raises
    ------
    GridError
        File missing or empty, not semicolon-separated, coordinate or population
        column missing (the message lists the columns found), or values that are
        not numbers (naming row and column, header = row 1).
    """
    path = Path(path)
    if not path.exists():
        raise GridError(f"{path}: population grid file not found")
    encoding = _encoding(path)
    with open(path, encoding=encoding, newline="") as fh:
        header_line = fh.readline().strip("\r\n")
    if not header_line.strip():
        raise GridError(f"{path.name}: the file is empty; expected a header like "
                        "'GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner'")
    sep = ";" if ";" in header_line else ("\t" if "\t" in header_line else ("," if "," in header_line else None))
    if sep is None:
        raise GridError(f"{path.name}: row 1 is not semicolon-separated ({header_line[:80]!r}); "
                        "expected a header like 'GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner'")
    headers = [h.strip().strip('"').lstrip("\ufeff") for h in header_line.split(sep)]
    x_col, y_col, id_col, size = _coordinate_columns(headers)
    pop_col = _population_column(headers, column)
    if x_col is None and id_col is None:
        raise GridError(f"{path.name}: no cell-centre columns (x_mp_100m/y_mp_100m, x_mp_1km/y_mp_1km, …) and no "
                        f"GITTER_ID column; columns found: {', '.join(headers)}")
    if pop_col is None:
        wanted = column or "Einwohner"
        raise GridError(f"{path.name}: no population column {wanted!r}; columns found: {', '.join(headers)}")

    usecols = [c for c in (x_col, y_col, id_col, pop_col) if c is not None]
    parts = []
    rows = 0
    suppressed = 0
    try:
        with pd.read_csv(path, sep=sep, encoding=encoding, dtype=str, keep_default_na=False,
                         usecols=lambda c: c.strip().strip('"').lstrip("\ufeff") in usecols,
                         chunksize=_CHUNK_ROWS, skipinitialspace=True) as reader:
            for chunk in reader:
                chunk.columns = [c.strip().strip('"').lstrip("\ufeff") for c in chunk.columns]
                first_row = rows + 2  # header is row 1
                rows += len(chunk)
                frame, n_suppressed, size = _parse_chunk(path, chunk, first_row, x_col, y_col, id_col, pop_col,
                                                         size)
                suppressed += n_suppressed
                if bounds is not None:
                    xmin, ymin, xmax, ymax = bounds
                    inside = frame["x"].between(xmin, xmax) & frame["y"].between(ymin, ymax)
                    frame = frame[inside.to_numpy()]
                parts.append(frame)
    except pd.errors.ParserError as exc:
        raise GridError(f"{path.name}: not a well-formed {sep!r}-separated file ({exc})") from None
    if rows == 0:
        raise GridError(f"{path.name}: header only, no grid cells")
    result = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"x": [], "y": [], "population": []})
    result.attrs.update(cell_size_m=size, rows=rows, suppressed=suppressed, column=pop_col)
    return result


def _encoding(path: Path) -> str:
    limit = 1 << 20
    with open(path, "rb") as fh:
        sample = fh.read(limit)
    try:
        sample.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        if len(sample) == limit and exc.start > limit - 4:
            return "utf-8-sig"  # a multi-byte character cut by the sample's end
        return "cp1252"


def _coordinate_columns(headers: list[str]) -> tuple[str | None, str | None, str | None, float | None]:
    lower = {h.casefold(): h for h in headers}
    for suffix, size in (("100m", 100.0), ("1km", 1000.0), ("10km", 10000.0), ("", None)):
        name = f"_mp_{suffix}" if suffix else "_mp"
        if f"x{name}" in lower and f"y{name}" in lower:
            return lower[f"x{name}"], lower[f"y{name}"], None, size
    if "x" in lower and "y" in lower:
        return lower["x"], lower["y"], None, None
    for h in headers:
        if h.casefold().startswith("gitter_id"):
            return None, None, h, None
    return None, None, None, None


def _population_column(headers: list[str], column: str | None) -> str | None:
    wanted = (column or "Einwohner").casefold()
    for h in headers:
        if h.casefold() == wanted:
            return h
    return None


def _parse_chunk(path: Path, chunk: pd.DataFrame, first_row: int, x_col, y_col, id_col, pop_col,
                 size: float | None) -> tuple[pd.DataFrame, int, float | None]:
    problems: list[Problem] = []
    if x_col is not None:
        x = _numbers(chunk[x_col])
        y = _numbers(chunk[y_col])
        for col, values in ((x_col, x), (y_col, y)):
            for pos in np.flatnonzero(np.isnan(values))[:_MAX_PROBLEMS]:
                problems.append(Problem(path.name, first_row + int(pos), col, str(chunk[col].iat[pos]),
                                        "not a coordinate; expected metres in EPSG:3035"))
    else:
        x, y, size, bad = _from_ids(chunk[id_col], size)
        for pos in bad[:_MAX_PROBLEMS]:
            problems.append(Problem(path.name, first_row + int(pos), id_col, str(chunk[id_col].iat[pos]),
                                    "not a grid cell id; expected e.g. 'CRS3035RES100mN2689100E4337000'"))
    raw = chunk[pop_col].str.strip()
    marked = raw.isin(SUPPRESSED).to_numpy()
    population = _numbers(raw.where(~marked, "0"))
    for pos in np.flatnonzero(np.isnan(population))[:_MAX_PROBLEMS]:
        problems.append(Problem(path.name, first_row + int(pos), pop_col, str(raw.iat[pos]),
                                "not a number of residents; allowed: a count, or –, -, empty or a negative "
                                "value for a suppressed cell"))
    if problems:
        raise GridError(f"{path.name}: cannot read the population grid", problems[:_MAX_PROBLEMS])
    hidden = marked | (population < 0)
    population = np.where(hidden, np.nan, population)
    frame = pd.DataFrame({"x": x, "y": y, "population": population})
    return frame, int(hidden.sum()), size


def _numbers(values: pd.Series) -> np.ndarray:
    text = values.astype(str).str.strip().str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce").to_numpy(float)


def _from_ids(ids: pd.Series, size: float | None):
    parts = ids.astype(str).str.strip().str.extract(_ID_RE)
    bad = np.flatnonzero(parts["n"].isna().to_numpy())
    cell = pd.to_numeric(parts["size"], errors="coerce").to_numpy(float)
    cell = np.where(parts["unit"].to_numpy() == "km", cell * 1000, cell)
    # Zensus 2022 ids give metres; Zensus 2011 ids count cells of their own size.
    scale = np.where(parts["crs"].notna().to_numpy(), 1.0, cell)
    north = pd.to_numeric(parts["n"], errors="coerce").to_numpy(float) * scale
    east = pd.to_numeric(parts["e"], errors="coerce").to_numpy(float) * scale
    found = cell[np.isfinite(cell)]
    return east + cell / 2, north + cell / 2, (float(found[0]) if len(found) else size), bad
