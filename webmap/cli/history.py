"""angebotskarte history OFFER_ID: every change of one offer, who made it and when."""

from __future__ import annotations

import json

import click

from geo.settings import Settings
from geo.store import open_store
from webmap.cli.base import Command, CommandError, pass_settings, say


@click.command("history", cls=Command, short_help="print every change of one offer (version, when, who, what)")
@click.argument("offer_id", metavar="OFFER_ID")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line instead of text")
@pass_settings
def command(settings: Settings, offer_id: str, as_json: bool) -> int:
    """Print the history of one offer: each version with its time, actor (user, token,
    import file), action and the fields before and after."""
    with open_store(settings) as store:
        entries = store.history(offer_id)
        known = entries or store.offer(offer_id, include_deleted=True) is not None
    if not known:
        raise CommandError(f"no offer {offer_id!r} in the store (and no history of one)", 1)
    if not entries:
        raise CommandError(f"offer {offer_id!r} has no recorded history (it was written beside "
                           "Angebotskarte, e.g. edited in QGIS)", 1)
    for e in entries:
        if as_json:
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
