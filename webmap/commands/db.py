"""angebotskarte db upgrade: create or upgrade the store's schema now."""

from __future__ import annotations

from geo.store import open_store
from webmap.commands._common import add_config_argument, say, settings_from_args


def register(sub) -> None:
    p = sub.add_parser("db", help="the store's schema: 'db upgrade' creates or upgrades it",
                       description="Every command that opens the store creates or upgrades its schema by itself; "
                                   "'db upgrade' does it now, e.g. right after installing a new version.")
    actions = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = actions.add_parser("upgrade", help="create the schema in an empty store or upgrade an older one")
    add_config_argument(upgrade)
    upgrade.set_defaults(func=run_upgrade)


def run_upgrade(args) -> int:
    with open_store(settings_from_args(args)) as store:
        say(store.upgrade())
    return 0
