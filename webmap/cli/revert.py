"""angebotskarte revert OFFER_ID --to VERSION: make an offer as it was, as a new change."""

from __future__ import annotations

import getpass

import click

from geo.settings import Settings
from geo.store import open_store
from webmap.cli.base import Command, CommandError, pass_settings, say


@click.command("revert", cls=Command, short_help="restore an earlier version of one offer (as a new version)")
@click.argument("offer_id", metavar="OFFER_ID")
@click.option("--to", "version", required=True, metavar="VERSION",
              help="the offer version to go back to (a number from 'angebotskarte history OFFER_ID')")
@pass_settings
def command(settings: Settings, offer_id: str, version: str) -> int:
    """Make an offer as it was at VERSION again (see 'angebotskarte history'). The revert is a
    new version in the history; nothing is lost."""
    if not str(version).isdigit() or int(version) < 1:
        raise CommandError(f"--to {version!r}: give a version number (1, 2, …) from 'angebotskarte history'")
    number = int(version)
    with open_store(settings) as store:
        before = store.offer(offer_id, include_deleted=True)
        after = store.revert_offer(offer_id, number, actor=f"cli:{getpass.getuser()}")
    if before is not None and after["version"] == before["version"]:
        say(f"offer {offer_id!r} is already as at version {number}; nothing changed")
    else:
        say(f"offer {offer_id!r} reverted to version {number} (now version {after['version']})")
    return 0
