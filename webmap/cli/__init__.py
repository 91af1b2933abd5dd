"""The ``angebotskarte`` command line, on click (the CLI framework Flask itself uses).

One module per command (or per group of commands); this package only lists them. To add
a command, write a module with a ``@click.command("name", cls=Command)`` function and add
it to :data:`COMMANDS`; to add a group (``angebotskarte token create|revoke``), write a
``@click.group("token", cls=Group)`` and hang its commands on it with ``@group.command()``,
as :mod:`webmap.cli.gazetteer` does. Either way the commands get ``--config`` (also
``$ANGEBOTSKARTE_CONFIG``), one-line error messages and exit codes from
:mod:`webmap.cli.base`; :func:`webmap.cli.base.pass_settings` hands them the settings.

Exit codes: 0 done, 1 done in part (e.g. some rows rejected), 2 nothing done (bad input,
configuration or usage), 130 interrupted.
"""

from __future__ import annotations

import sys

import click

from webmap.cli import (
    coverage,
    db,
    demo,
    districts,
    export,
    export_html,
    gazetteer,
    geocode,
    history,
    import_,
    init,
    population,
    population_grid,
    revert,
    serve,
    store,
)
from webmap.cli.base import Group, run_main

# In the order --help lists them: from the first steps to serving.
COMMANDS: tuple[click.Command, ...] = (
    init.command,
    import_.command,
    geocode.command,
    gazetteer.group,
    export.command,
    export_html.command,
    districts.command,
    population.command,
    population_grid.command,
    coverage.command,
    history.command,
    revert.command,
    db.group,
    store.group,
    demo.command,
    serve.command,
)

cli = Group(
    "angebotskarte",
    help="Angebotskarte: import a town's integration offers from spreadsheets, GeoJSON or OSM, geocode them, "
         "and serve an accessible map, a search API and a planner's view.",
    epilog="Run 'angebotskarte COMMAND --help' for the options of one command. --config may stand before "
           "or after the command.",
    commands=COMMANDS,
)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    return run_main(cli, argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
