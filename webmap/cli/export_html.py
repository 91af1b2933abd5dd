"""angebotskarte export-html: one self-contained HTML file (map and list) for websites without iframes."""

from __future__ import annotations

from pathlib import Path

import click
from werkzeug.datastructures import MultiDict

from geo.settings import Settings
from webmap.cli.base import Command, CommandError, pass_settings, say
from webmap.cli.options import existing_store

# The map's filters, as options: (option, parameter of the map page, metavar, help).
_FILTERS = (
    ("--category", "category", "C", "only this category (key or name, e.g. language_course or Sprachkurs)"),
    ("--language", "language", "L", "only offers in this language (ISO code or name, e.g. ar or Arabisch)"),
    ("--target-group", "target_group", "G", "only offers for this target group (e.g. refugees)"),
    ("--district", "district", "D", "only this district (id or name)"),
    ("--wheelchair", "wheelchair", "W", "wheelchair access: yes, limited, no or unknown"),
)


def _filter_options(func):
    for option, name, metavar, help_text in reversed(_FILTERS):
        func = click.option(option, name, multiple=True, metavar=metavar, help=help_text)(func)
    return func


@click.command("export-html", cls=Command,
               short_help="write one HTML file with a map and list of offers (for websites without iframes)")
@click.argument("out", metavar="OUT.html", type=click.Path(dir_okay=False, path_type=Path))
@_filter_options
@click.option("--search", "q", default="", metavar="WORDS", help="only offers containing these words")
@click.option("--ui", metavar="LANG", help="language of the page (one of [ui] languages; default: [ui] default_language)")
@click.option("--title", default="", help="heading and title of the page (default: made from the filters)")
@click.option("--link-base", metavar="URL", default="",
              help="public address of this Angebotskarte (e.g. https://karte.example.de); offer names then link "
                   "to their pages there")
@pass_settings
def command(settings: Settings, out: Path, q: str, ui: str | None, title: str, link_base: str,
            **filters: tuple[str, ...]) -> int:
    """Write the selected offers as one self-contained HTML page: a map (folium, with
    Leaflet built in) and an accessible list below it. It opens from disk or any web space
    without this server and, apart from the map tiles, loads nothing from anywhere. Filters
    take the same values as the map's filters; repeat an option for several values (any of
    them)."""
    from webmap import create_app
    from webmap.embed import safe_base_url, static_export
    from webmap.params import ParameterErrors

    existing_store(settings)
    languages = list(settings.ui.languages)
    lang = ui or settings.ui.default_language
    if lang not in languages:
        raise CommandError(f"--ui {lang!r} is not one of the UI languages {', '.join(languages)} ([ui] languages)")
    if link_base and not safe_base_url(link_base):
        raise CommandError(f"--link-base {link_base!r} must be an http(s) address such as https://karte.example.de")
    query = MultiDict([(name, value) for _option, name, _m, _h in _FILTERS for value in filters[name]])
    if q.strip():
        query.add("q", q)
    app = create_app(settings)
    # The page is rendered as a request for it would be, in its UI language (nothing is served).
    with app.test_request_context("/", query_string={"ui": lang}):
        try:
            html, listed, on_map = static_export(query, title=title.strip(), link_base=link_base)
        except ParameterErrors as exc:
            options = {name: option for option, name, _m, _h in _FILTERS} | {"q": "--search"}
            raise CommandError("; ".join(
                f"{options.get(p.parameter, '--' + p.parameter)}: {p.error}" for p in exc.problems)) from None
    out.write_text(html, encoding="utf-8")
    say(f"wrote {listed} offers ({on_map} on the map) to {out} ({len(html.encode('utf-8')) // 1024} kB)")
    return 0
