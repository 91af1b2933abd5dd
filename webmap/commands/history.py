"""angebotskarte history OFFER_ID: every change of one offer, who made it and when."""

from __future__ import annotations

import json

from geo.store import open_store
from webmap.commands._common import CommandError, add_config_argument, say, settings_from_args


def register(sub) -> None:
    p = sub.add_parser("history", help="print every change of one offer (version, when, who, what)",
                       description="Print the history of one offer: each version with its time, actor "
                                   "(user, token, import file), action and the fields before and after.")
    p.add_argument("offer_id", metavar="OFFER_ID")
    p.add_argument("--json", action="store_true", help="one JSON object per line instead of text")
    add_config_argument(p)
    p.set_defaults(func=run)


def run(args) -> int:
    with open_store(settings_from_args(args)) as store:
        entries = store.history(args.offer_id)
        known = entries or store.offer(args.offer_id, include_deleted=True) is not None
    if not known:
        raise CommandError(f"no offer {args.offer_id!r} in the store (and no history of one)", 1)
    if not entries:
        raise CommandError(f"offer {args.offer_id!r} has no recorded history (it was written beside "
                           "Angebotskarte, e.g. edited in QGIS)", 1)
    for e in entries:
        if args.json:
            say(json.dumps(e.__dict__, ensure_ascii=False))
            continue
        say(f"version {e.offer_version}  {e.at}  {e.action}  by {e.actor}")
        for name in sorted(set(e.before) | set(e.after)):
            if e.action == "create":
                say(f"    {name}: {_show(e.after.get(name))}")
            else:
                say(f"    {name}: {_show(e.before.get(name))} -> {_show(e.after.get(name))}")
    return 0


def _show(value) -> str:
    return json.dumps(value, ensure_ascii=False)
