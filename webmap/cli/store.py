"""angebotskarte store copy --from CONFIG_A --to CONFIG_B: move a deployment between backends."""

from __future__ import annotations

from pathlib import Path

import click

from geo.settings import ConfigError, load_settings
from geo.store import copy_store, open_store
from webmap.cli.base import CliState, CommandError, Group, say


@click.group("store", cls=Group, short_help="'store copy': move a store between the GeoPackage file and PostGIS")
def group() -> None:
    """Operations on a whole store: 'store copy' moves every offer with its versions and
    history, every layer and the tokens between the GeoPackage file and PostGIS. See
    docs/store.md."""


@group.command("copy", short_help="copy a whole store into an empty one")
@click.option("--from", "source", metavar="CONFIG_A", type=click.Path(dir_okay=False, path_type=Path),
              help="config of the store to copy (default: --config, $ANGEBOTSKARTE_CONFIG, ./angebotskarte.toml)")
@click.option("--to", "target", metavar="CONFIG_B", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="config of the empty target store")
def copy(source: Path | None, target: Path) -> int:
    """Copy everything of one store (offers with versions and history, layers, the import log,
    tokens) into an empty store of another config, e.g. from the GeoPackage file to PostGIS
    or back."""
    state = click.get_current_context().ensure_object(CliState)
    try:
        source_settings = load_settings(source) if source else state.settings()
        target_settings = load_settings(target)
    except ConfigError as exc:
        raise CommandError(f"configuration: {exc}") from None
    with open_store(source_settings) as origin, open_store(target_settings) as destination:
        if origin.label == destination.label and origin.backend.name == destination.backend.name:
            raise CommandError("--from and --to name the same store")
        done = copy_store(origin, destination)
        say(f"copied {done.offers} offers, {done.history} history rows and {done.layers} layers from "
            f"{origin.label} to {destination.label} (data version {done.data_version})")
    return 0
