"""angebotskarte revert OFFER_ID --to VERSION: make an offer as it was, as a new change."""

from __future__ import annotations

import getpass

from geo.store import open_store
from webmap.commands._common import add_config_argument, say, settings_from_args


def register(sub) -> None:
    p = sub.add_parser("revert", help="restore an earlier version of one offer (as a new version)",
                       description="Make an offer as it was at VERSION again (see 'angebotskarte history'). "
                                   "The revert is a new version in the history; nothing is lost.")
    p.add_argument("offer_id", metavar="OFFER_ID")
    p.add_argument("--to", dest="version", type=int, required=True, metavar="VERSION")
    add_config_argument(p)
    p.set_defaults(func=run)


def run(args) -> int:
    with open_store(settings_from_args(args)) as store:
        before = store.offer(args.offer_id, include_deleted=True)
        after = store.revert_offer(args.offer_id, args.version, actor=f"cli:{getpass.getuser()}")
    if before is not None and after["version"] == before["version"]:
        say(f"offer {args.offer_id!r} is already as at version {args.version}; nothing changed")
    else:
        say(f"offer {args.offer_id!r} reverted to version {args.version} (now version {after['version']})")
    return 0
