"""angebotskarte population-grid [FILE]: keep a Zensus population grid for the planner's view."""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np

from geo.coverage.grid import GridError, read_zensus_grid
from geo.coverage.inputs import GRID_LAYER, grid_bounds, store_grid
from geo.settings import Settings
from geo.store import open_store
from webmap.cli.base import Command, CommandError, pass_settings, say
from webmap.cli.options import file_or_configured, optional_file_argument


@click.command("population-grid", cls=Command, short_help="load a Zensus population grid CSV (100 m or 1 km cells)")
@optional_file_argument
@click.option("--column", help="population column (default: Einwohner)")
@click.option("--all-cells", is_flag=True,
              help="keep every cell of the file, not only those around the districts / [area] bbox")
@pass_settings
def command(settings: Settings, file: Path | None, column: str | None, all_cells: bool) -> int:
    """Read a Zensus grid CSV (FILE, default: [population] grid) as the statistical offices
    publish it (semicolon-separated, cell centres in EPSG:3035, population column
    'Einwohner', suppressed cells marked) and keep the cells around the districts in the
    store. The planner's view then places residents by the grid instead of spreading them
    evenly over each district."""
    path = file_or_configured(settings, file, "population", "grid")
    store = open_store(settings)
    bounds = None if all_cells else grid_bounds(store.districts(), settings)
    try:
        grid = read_zensus_grid(path, column=column, bounds=bounds)
    except GridError as exc:
        raise CommandError(f"{exc}\n(nothing was changed)") from None
    if grid.empty:
        raise CommandError(f"{path}: none of the {grid.attrs.get('rows', 0)} cells lies in the area of the districts "
                           "(or [area] bbox); is it the right grid? (nothing was changed)")
    store_grid(store, grid, actor=f"population-grid {Path(path).name}")
    residents = float(np.nansum(grid["population"]))
    size = grid.attrs.get("cell_size_m")
    size_text = f"{size:g} m cells" if size else "cells"
    say(f"read {grid.attrs['rows']} {size_text} ({grid.attrs['suppressed']} suppressed); kept {len(grid)} cells "
        f"with {residents:,.0f} residents in the store layer {GRID_LAYER!r}")
    return 0
