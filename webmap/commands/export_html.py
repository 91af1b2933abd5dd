"""angebotskarte export-html: one self-contained HTML file (map and list) for websites without iframes."""

from __future__ import annotations

from pathlib import Path

from werkzeug.datastructures import MultiDict

from webmap.commands._common import CommandError, add_config_argument, say, settings_from_args


def register(sub) -> None:
    p = sub.add_parser(
        "export-html", help="write one HTML file with a map and list of offers (for websites without iframes)",
        description="Write the selected offers as one self-contained HTML page: a map (folium, with Leaflet "
                    "built in) and an accessible list below it. It opens from disk or any web space without "
                    "this server and, apart from the map tiles, loads nothing from anywhere. Filters take the "
                    "same values as the map's filters; repeat an option for several values (any of them).")
    p.add_argument("out", metavar="OUT.html", help="the file to write")
    p.add_argument("--category", action="append", default=[], metavar="C",
                   help="only this category (key or name, e.g. language_course or Sprachkurs)")
    p.add_argument("--language", action="append", default=[], metavar="L",
                   help="only offers in this language (ISO code or name, e.g. ar or Arabisch)")
    p.add_argument("--target-group", dest="target_group", action="append", default=[], metavar="G",
                   help="only offers for this target group (e.g. refugees)")
    p.add_argument("--district", action="append", default=[], metavar="D", help="only this district (id or name)")
    p.add_argument("--wheelchair", action="append", default=[], metavar="W",
                   help="wheelchair access: yes, limited, no or unknown")
    p.add_argument("--search", dest="q", default="", metavar="WORDS", help="only offers containing these words")
    p.add_argument("--ui", metavar="LANG", default=None,
                   help="language of the page (one of [ui] languages; default: [ui] default_language)")
    p.add_argument("--title", default="", help="heading and title of the page (default: made from the filters)")
    p.add_argument("--link-base", metavar="URL", default="",
                   help="public address of this Angebotskarte (e.g. https://karte.example.de); offer names "
                        "then link to their pages there")
    add_config_argument(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from webmap import create_app
    from webmap.embed import safe_base_url, static_export
    from webmap.params import ParameterErrors

    settings = settings_from_args(args)
    from geo.store import open_store

    store = open_store(settings)
    if not store.exists():
        raise CommandError(f"no store at {store.label}; import offers first (angebotskarte import FILE)")
    languages = list(settings.get("ui", "languages"))
    lang = args.ui or settings.get("ui", "default_language")
    if lang not in languages:
        raise CommandError(f"--ui {lang!r} is not one of the UI languages {', '.join(languages)} ([ui] languages)")
    if args.link_base and not safe_base_url(args.link_base):
        raise CommandError(f"--link-base {args.link_base!r} must be an http(s) address such as https://karte.example.de")
    filters = MultiDict()
    for name in ("category", "language", "target_group", "district", "wheelchair"):
        for value in getattr(args, name):
            filters.add(name, value)
    if args.q.strip():
        filters.add("q", args.q)
    app = create_app(settings)
    # The page is rendered as a request for it would be, in its UI language (nothing is served).
    with app.test_request_context("/", query_string={"ui": lang}):
        try:
            html, listed, on_map = static_export(filters, title=args.title.strip(), link_base=args.link_base)
        except ParameterErrors as exc:
            options = {"q": "--search", "target_group": "--target-group"}
            raise CommandError("; ".join(
                f"{options.get(p.parameter, '--' + p.parameter)}: {p.error}" for p in exc.problems)) from None
    out = Path(args.out)
    out.write_text(html, encoding="utf-8")
    say(f"wrote {listed} offers ({on_map} on the map) to {out} ({len(html.encode('utf-8')) // 1024} kB)")
    return 0
