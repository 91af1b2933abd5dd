"""angebotskarte gazetteer build|info: the offline address gazetteer from an OSM extract."""

from __future__ import annotations

from pathlib import Path

from webmap.commands._common import CommandError, add_config_argument, say, settings_from_args, warn

DEFAULT_OUT = "gazetteer.sqlite"


def register(sub) -> None:
    p = sub.add_parser(
        "gazetteer", help="build the offline address gazetteer from an OpenStreetMap extract",
        description=(
            "The offline geocoding provider looks addresses up in a gazetteer file built from an OpenStreetMap "
            "extract, so addresses never leave the server. Get an extract of your town (e.g. from "
            "download.geofabrik.de, cut with 'osmium extract -b'), build it, then set [geocoding] gazetteer and "
            "add \"offline\" to [geocoding] providers."
        ),
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    build = actions.add_parser("build", help="index the addresses and streets of an extract",
                               description="Index every addressed node, building and area, the numbers on "
                                           "addr:interpolation lines and the named streets of an OSM extract.")
    build.add_argument("extract", metavar="EXTRACT", help="OSM extract: .osm.pbf, .osm or .osm.gz")
    build.add_argument("--out", metavar="PATH",
                       help=f"gazetteer file to write (default: [geocoding] gazetteer, else ./{DEFAULT_OUT})")
    add_config_argument(build)
    build.set_defaults(func=run_build)
    info = actions.add_parser("info", help="show what a gazetteer file holds")
    info.add_argument("path", metavar="PATH", nargs="?", help="gazetteer file (default: [geocoding] gazetteer)")
    add_config_argument(info)
    info.set_defaults(func=run_info)
    p.set_defaults(func=lambda args: _usage(p))


def _usage(parser) -> int:
    parser.print_help()
    return 2


def run_build(args) -> int:
    from geo.geocoding.gazetteer_build import GazetteerBuildError, build_gazetteer

    settings = settings_from_args(args)
    configured = settings.path("geocoding", "gazetteer")
    out = Path(args.out) if args.out else (configured or Path.cwd() / DEFAULT_OUT)
    say(f"reading {args.extract} …")
    try:
        stats = build_gazetteer(args.extract, out)
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
        say(f"to use it, set in the config: [geocoding] gazetteer = \"{out}\" and add \"offline\" to providers")
    return 0


def run_info(args) -> int:
    from geo.geocoding.gazetteer import Gazetteer, GazetteerError

    settings = settings_from_args(args)
    path = Path(args.path) if args.path else settings.path("geocoding", "gazetteer")
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
