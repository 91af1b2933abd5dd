"""angebotskarte geocode INPUT --out OUTPUT: add coordinates to any address list."""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

import click

from geo.settings import Settings
from geo.spreadsheet import SafeCsvWriter
from webmap.cli.base import Command, CommandError, pass_settings, say, warn
from webmap.cli.options import sheet_option

# Columns this command adds; an input column of the same name is replaced (so the output of
# one run can be the input of the next).
OUTPUT_COLUMNS = ("lat", "lon", "status", "precision", "provider", "message")
_ADDRESS_FIELDS = ("street", "housenumber", "postcode", "city", "address")


def _read_rows(path: Path, sheet: str | None) -> tuple[list[str], list[list[str]]]:
    """Headers and rows as text, every column kept."""
    from geo.readers.tabular import read_rows

    headers, rows, _problems = read_rows(path, sheet)
    headers = [str(h).strip() for h in headers]
    width = len(headers)
    rows = [[str(c).strip() for c in r] + [""] * (width - len(r)) for r in rows if any(str(c).strip() for c in r)]
    return headers, rows


def _coordinate(text: str) -> float | None:
    t = text.strip().replace(",", ".") if text.count(",") == 1 and "." not in text else text.strip()
    try:
        return float(t)
    except ValueError:
        return None


@click.command("geocode", cls=Command, short_help="add coordinates to an address list (CSV/XLSX)")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", metavar="OUTPUT", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="CSV file to write")
@sheet_option
@click.option("--refresh", is_flag=True, help="ask the providers again even for addresses the cache knows")
@pass_settings
def command(settings: Settings, input_path: Path, out: Path, sheet: str | None, refresh: bool) -> int:
    """Geocode any address list (INPUT, CSV or XLSX): columns Straße/Hausnummer/PLZ/Ort (or
    street/housenumber/postcode/city) or one Adresse/address column, same header rules as
    import. Writes the input columns plus lat, lon, status (given, ok, cached, not_found,
    outside_area, error), precision (house, street, postcode, city), provider and message.
    Uses [geocoding] providers and the cache; rows with valid coordinates keep them.
    Interrupted runs resume: answers already received are cached."""
    from geo.geocoding.base import AddressQuery, GeocodeResult, GeocodingBlocked
    from geo.geocoding.normalise import parse_address_text
    from geo.geocoding.pipeline import build_geocoder, districts_union
    from geo.store import StoreError, open_store
    from geo.readers.columns import accepted_headers, map_headers
    from geo.schema import InputError

    try:
        headers, rows = _read_rows(input_path, sheet)
    except InputError as exc:
        raise CommandError(str(exc), 2) from None
    mapping, _unknown, _doubled = map_headers(headers)
    index = {field: headers.index(h) for h, field in mapping.items()}
    if not any(f in index for f in _ADDRESS_FIELDS):
        raise CommandError(
            f"{input_path.name}: no address columns. Found: {', '.join(h for h in headers if h) or '(none)'}. "
            f"Expected street ({', '.join(accepted_headers('street'))}) with housenumber, postcode, city, "
            f"or one address column ({', '.join(accepted_headers('address'))})", 2)

    try:
        with open_store(settings) as store:
            area = districts_union(store.districts())
    except StoreError as exc:
        raise CommandError(str(exc), 2) from None
    try:
        geocoder = build_geocoder(settings, refresh=refresh, area_filter=area)
    except ValueError as exc:
        raise CommandError(f"geocoding: {exc}", 2) from None
    if geocoder is None:
        raise CommandError(
            "[geocoding] providers is empty: nothing to geocode with; set it to e.g. [\"offline\"] "
            "(see docs/geocoding.md)", 2)

    def cell(row, field):
        i = index.get(field)
        return row[i] if i is not None else ""

    results: list[GeocodeResult | None] = [None] * len(rows)
    todo: list[int] = []
    queries: list[AddressQuery] = []
    for r, row in enumerate(rows):
        lat, lon = _coordinate(cell(row, "lat")), _coordinate(cell(row, "lon"))
        if lat is not None and lon is not None and geocoder.area.contains(lat, lon):
            results[r] = GeocodeResult("given", lat, lon, "", "input")
            continue
        q = AddressQuery(cell(row, "street"), cell(row, "housenumber"), cell(row, "postcode"), cell(row, "city"))
        address = cell(row, "address")
        if address:
            parsed = parse_address_text(address)
            q = AddressQuery(q.street or parsed.street, q.housenumber or parsed.housenumber,
                             q.postcode or parsed.postcode, q.city or parsed.city)
        todo.append(r)
        queries.append(q)

    from tqdm import tqdm

    bar = tqdm(total=len(queries), unit="address", file=sys.stderr, disable=None, leave=False)
    done = 0

    def progress(i: int, result: GeocodeResult) -> None:
        nonlocal done
        done = i + 1
        bar.update(1)

    try:
        found = geocoder.geocode_many(queries, on_result=progress)
    except KeyboardInterrupt:
        bar.close()
        where = f" in {geocoder.cache.path}" if geocoder.cache is not None else ""
        warn(f"interrupted after {done} of {len(queries)} addresses; {out} was not written. "
             f"The answers so far are kept{where}: run the same command again to resume "
             "(cached addresses are not asked again).")
        return 130
    except GeocodingBlocked as exc:
        bar.close()
        raise CommandError(f"{exc} {out} was not written.", 1) from None
    finally:
        geocoder.close()
    bar.close()
    for r, res in zip(todo, found):
        results[r] = res

    _write(out, headers, rows, results)
    counts = Counter(res.status for res in results if res is not None)
    say(f"{len(rows)} rows: " + ", ".join(f"{counts[s]} {s}" for s in
                                         ("given", "ok", "cached", "not_found", "outside_area", "error") if counts[s]))
    not_located = sum(counts[s] for s in ("not_found", "outside_area", "error"))
    if not_located:
        say(f"{not_located} rows could not be located; see the status and message columns")
    say(f"wrote {out}")
    return 0


def _write(path: Path, headers: list[str], rows: list[list[str]], results) -> None:
    keep = [i for i, h in enumerate(headers) if h.lower() not in OUTPUT_COLUMNS]
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # UTF-8 with BOM: German Excel then shows umlauts correctly.
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            w = SafeCsvWriter(fh)  # addresses from other people's lists: no formula may run
            w.writerow([headers[i] for i in keep] + list(OUTPUT_COLUMNS))
            for row, res in zip(rows, results):
                located = res.lat is not None and res.lon is not None
                w.writerow([row[i] for i in keep] + [
                    f"{res.lat:.7f}" if located else "", f"{res.lon:.7f}" if located else "",
                    res.status, res.precision, res.provider, res.message])
        os.replace(tmp, path)
    except OSError as exc:
        raise CommandError(f"{path}: cannot write: {exc.strerror or exc}", 2) from None
