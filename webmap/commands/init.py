"""angebotskarte init DIR: write a commented starter configuration."""

from __future__ import annotations

from pathlib import Path

from geo.settings import DEFAULT_FILENAME, defaults_text
from webmap.commands._common import CommandError, add_config_argument, say


def register(sub) -> None:
    p = sub.add_parser("init", help="write a commented starter config (angebotskarte.toml) into DIR",
                       description="Write a commented starter configuration with every key and its default.")
    p.add_argument("directory", metavar="DIR", help="folder for angebotskarte.toml (created if missing)")
    p.add_argument("--force", action="store_true", help="overwrite an existing angebotskarte.toml")
    add_config_argument(p)
    p.set_defaults(func=run)


def run(args) -> int:
    target = Path(args.directory) / DEFAULT_FILENAME
    if target.exists() and not args.force:
        raise CommandError(f"{target} exists; use --force to overwrite it")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(defaults_text(), encoding="utf-8")
    say(f"wrote {target}; edit [area] and [store] first, then run: angebotskarte import FILE --config {target}")
    return 0
