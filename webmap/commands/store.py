"""angebotskarte store copy --from CONFIG_A --to CONFIG_B: move a deployment between backends."""

from __future__ import annotations

from geo.settings import ConfigError, load_settings
from geo.store import copy_store, open_store
from webmap.commands._common import CommandError, add_config_argument, say


def register(sub) -> None:
    p = sub.add_parser("store", help="'store copy': move a store between the GeoPackage file and PostGIS",
                       description="Copy everything of one store (offers with versions and history, layers, the "
                                   "import log, tokens) into an empty store of another config, e.g. from the "
                                   "GeoPackage file to PostGIS or back. See docs/store.md.")
    actions = p.add_subparsers(dest="store_command", metavar="ACTION", required=True)
    copy = actions.add_parser("copy", help="copy a whole store into an empty one")
    copy.add_argument("--from", dest="source", metavar="CONFIG_A",
                      help="config of the store to copy (default: --config, $ANGEBOTSKARTE_CONFIG, ./angebotskarte.toml)")
    copy.add_argument("--to", dest="target", metavar="CONFIG_B", required=True, help="config of the empty target store")
    add_config_argument(copy)
    copy.set_defaults(func=run_copy)


def run_copy(args) -> int:
    try:
        source_settings = load_settings(args.source or args.config)
        target_settings = load_settings(args.target)
    except ConfigError as exc:
        raise CommandError(f"configuration: {exc}") from None
    with open_store(source_settings) as source, open_store(target_settings) as target:
        if source.label == target.label and source.backend.name == target.backend.name:
            raise CommandError("--from and --to name the same store")
        done = copy_store(source, target)
        say(f"copied {done.offers} offers, {done.history} history rows and {done.layers} layers from "
            f"{source.label} to {target.label} (data version {done.data_version})")
    return 0
