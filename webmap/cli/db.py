"""angebotskarte db upgrade: create or upgrade the store's schema now."""

from __future__ import annotations

import click

from geo.settings import Settings
from geo.store import open_store
from webmap.cli.base import Group, pass_settings, say


@click.group("db", cls=Group, short_help="the store's schema: 'db upgrade' creates or upgrades it")
def group() -> None:
    """Every command that opens the store creates or upgrades its schema by itself; 'db upgrade'
    does it now, e.g. right after installing a new version."""


@group.command("upgrade", short_help="create the schema in an empty store or upgrade an older one")
@pass_settings
def upgrade(settings: Settings) -> int:
    """Create the schema in an empty store, or upgrade an older one to this version's."""
    with open_store(settings) as store:
        say(store.upgrade())
    return 0
