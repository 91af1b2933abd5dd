"""angebotskarte revert OFFER_ID --to VERSION: make an offer as it was, as a new change."""

from __future__ import annotations

import getpass

from geo.store import open_store
from webmap.commands._common import CommandError, add_config_argument, say, settings_from_args


def register(sub) -> None:
    p = sub.add_parser("revert", help="restore an earlier version of one offer (as a new version)",
                       description="Make an offer as it was at VERSION again (see 'angebotskarte history'). "
                                   "The revert is a new version in the history; nothing is lost.")
    p.add_argument("offer_id", metavar="OFFER_ID")
    p.add_argument("--to", dest="version", required=True, metavar="VERSION",
                   help="the offer version to go back to (a number from 'angebotskarte history OFFER_ID')")
    add_config_argument(p)
    p.set_defaults(func=run)


def run(args) -> int:
    if not str(args.version).isdigit() or int(args.version) < 1:
        raise CommandError(f"--to {args.version!r}: give a version number (1, 2, …) from 'angebotskarte history'")
    version = int(args.version)
    with open_store(settings_from_args(args)) as store:
        before = store.offer(args.offer_id, include_deleted=True)
        after = store.revert_offer(args.offer_id, version, actor=f"cli:{getpass.getuser()}")
    if before is not None and after["version"] == before["version"]:
        say(f"offer {args.offer_id!r} is already as at version {version}; nothing changed")
    else:
        say(f"offer {args.offer_id!r} reverted to version {version} (now version {after['version']})")
    return 0
