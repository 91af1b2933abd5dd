"""angebotskarte population-grid FILE: keep a Zensus population grid for the planner's view."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from geo.coverage.grid import GridError, read_zensus_grid
from geo.coverage.inputs import GRID_LAYER, grid_bounds, store_grid
from geo.store import open_store
from webmap.commands._common import CommandError, add_config_argument, say, settings_from_args


def register(sub) -> None:
    p = sub.add_parser(
        "population-grid", help="load a Zensus population grid CSV (100 m or 1 km cells)",
        description="Read a Zensus grid CSV as the statistical offices publish it (semicolon-separated, cell "
                    "centres in EPSG:3035, population column 'Einwohner', suppressed cells marked) and keep the "
                    "cells around the districts in the store. The planner's view then places residents by the "
                    "grid instead of spreading them evenly over each district.")
    p.add_argument("file", metavar="FILE", nargs="?", help="grid CSV (default: [population] grid)")
    p.add_argument("--column", default=None, help="population column (default: Einwohner)")
    p.add_argument("--all-cells", action="store_true",
                   help="keep every cell of the file, not only those around the districts / [area] bbox")
    add_config_argument(p)
    p.set_defaults(func=run)


def run(args) -> int:
    settings = settings_from_args(args)
    path = args.file or settings.path("population", "grid")
    if not path:
        raise CommandError("no FILE given and [population] grid is empty")
    store = open_store(settings)
    bounds = None if args.all_cells else grid_bounds(store.districts(), settings)
    try:
        grid = read_zensus_grid(path, column=args.column, bounds=bounds)
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
