"""Coverage and accessibility for planners: where are offers missing?

Per district and category: offer counts, offers per 10,000 residents, the share
of residents with a matching offer within walking distance, median and 90th
percentile walk to the nearest one, E2SFCA accessibility, language gaps and a
ranked list of underserved districts. See docs/planning.md.

Public entry points:

- :func:`coverage_table` / :func:`underserved` / :func:`language_gaps`: frames for
  the CLI, the API and the planner page;
- :func:`prepare`: the projected inputs, reusable across questions;
- :func:`geo.coverage.e2sfca.e2sfca`: the accessibility kernel on plain arrays (not
  re-exported here, so that ``geo.coverage.e2sfca`` stays the module);
- :func:`read_zensus_grid`: a Zensus population grid CSV;
- :func:`write_table`: CSV, XLSX, GeoJSON, GeoPackage output.
"""

from geo.coverage.context import CoverageContext, PlanningParams, prepare
from geo.coverage.e2sfca import decay_function, decay_weights
from geo.coverage.export import write_table
from geo.coverage.filters import CoverageQuery, QueryError
from geo.coverage.gaps import language_gaps, underserved
from geo.coverage.grid import GridError, read_zensus_grid
from geo.coverage.table import METRICS, coverage_table

__all__ = [
    "METRICS", "CoverageContext", "CoverageQuery", "GridError", "PlanningParams", "QueryError",
    "coverage_table", "decay_function", "decay_weights", "language_gaps", "prepare",
    "read_zensus_grid", "underserved", "write_table",
]
