"""angebotskarte gazetteer build|info: the offline address gazetteer from an OSM extract."""

from __future__ import annotations

import json
from pathlib import Path

import click

from geo.settings import Settings
from webmap.cli.base import CommandError, Group, pass_settings, say, warn

DEFAULT_OUT = "gazetteer.sqlite"


@click.group("gazetteer", cls=Group, short_help="build the offline address gazetteer from an OpenStreetMap extract")
def group() -> None:
    """The offline geocoding provider looks addresses up in a gazetteer file built from an
    OpenStreetMap extract, so addresses never leave the server. Get an extract of your town
    (e.g. from download.geofabrik.de, cut with 'osmium extract -b'), build it, then set
    [geocoding] gazetteer and add "offline" to [geocoding] providers."""


@group.command("build", short_help="index the addresses and streets of an extract")
@click.argument("extract", metavar="EXTRACT", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", metavar="PATH", type=click.Path(dir_okay=False, path_type=Path),
              help=f"gazetteer file to write (default: [geocoding] gazetteer, else ./{DEFAULT_OUT})")
@pass_settings
def build(settings: Settings, extract: Path, out: Path | None) -> int:
    """Index every addressed node, building and area, the numbers on addr:interpolation
    lines and the named streets of an OSM extract (EXTRACT: .osm.pbf, .osm or .osm.gz)."""
    from geo.geocoding.gazetteer_build import GazetteerBuildError, build_gazetteer

    configured = settings.path("geocoding", "gazetteer")
    out = out or configured or Path.cwd() / DEFAULT_OUT
    say(f"reading {extract} …")
    try:
        stats = build_gazetteer(extract, out)
    except GazetteerBuildError as exc:
        raise CommandError(str(exc), 2) from None
    except OSError as exc:
        raise CommandError(f"{out}: cannot write the gazetteer: {exc.strerror or exc}", 2) from None
    say(f"indexed {stats.addresses:,} addresses (+{stats.interpolated:,} on interpolation lines), "
        f"{stats.streets:,} streets, {_count(stats.postcodes, 'postcode')}, {_count(stats.cities, 'town')} "
        f"in {stats.seconds:.1f} s")
    if stats.skipped_without_street:
        say(f"skipped {stats.skipped_without_street:,} house numbers without addr:street or addr:place")
    say(f"wrote {out}")
    if stats.bbox is not None and not _overlaps(stats.bbox, settings.bbox):
        warn(f"warning: none of the addresses lies inside [area] bbox {list(settings.bbox)}; is this the extract "
             "of your town? Answers outside the area are rejected as outside_area.")
    if configured is None or configured.resolve() != out.resolve():
        where = f"in {settings.source}" if settings.source else "in the config"
        say(f"to use it, set {where}: [geocoding] gazetteer = {config_path_value(out, settings)} "
            "and add \"offline\" to providers")
    return 0


def config_path_value(path: Path, settings: Settings) -> str:
    """``path`` as a TOML string that names the same file when read from the config.

    The config resolves relative paths against its own folder, not the current one: a file
    inside that folder is given relative to it (the deployment folder stays movable), any
    other file absolutely.
    """
    absolute = Path(path).resolve()
    text = str(absolute)
    if settings.source is not None:
        try:
            text = absolute.relative_to(settings.base_dir).as_posix()
        except ValueError:
            pass
    return json.dumps(text, ensure_ascii=False)  # a TOML basic string: the same escapes as JSON


@group.command("info", short_help="show what a gazetteer file holds")
@click.argument("path", metavar="[PATH]", required=False, type=click.Path(dir_okay=False, path_type=Path))
@pass_settings
def info(settings: Settings, path: Path | None) -> int:
    """Show when and from which extract a gazetteer file (PATH, default: [geocoding]
    gazetteer) was built, and how many addresses and streets it holds."""
    from geo.geocoding.gazetteer import Gazetteer, GazetteerError

    path = path or settings.path("geocoding", "gazetteer")
    if path is None:
        raise CommandError("no PATH given and [geocoding] gazetteer is empty", 2)
    try:
        gaz = Gazetteer(path)
    except GazetteerError as exc:
        raise CommandError(str(exc), 2) from None
    meta = gaz.meta
    say(f"{path}: built {meta.get('built_at', '?')} from {meta.get('source', '?')}")
    say(f"{gaz.address_count:,} addresses (+{int(meta.get('interpolated', 0)):,} interpolated), "
        f"{gaz.street_count:,} streets; bbox {meta.get('bbox', '?')}")
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _overlaps(a, b) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]
