"""Benchmark the import: 100,000 offers with coordinates, in time and peak memory, against the obvious alternatives.

    .venv/bin/python scripts/bench_import.py [--rows 100000] [--naive-sample 500] [--seed 7] [--write-docs]
        [--compare-commit REV]

It writes a realistic offer list into a temporary folder (German Excel CSV: UTF-8 with BOM,
semicolons, German headers, decimal commas, German dates, several languages per cell with
notes in parentheses, target groups, opening hours, about 1% rows with an invalid
opening-hours value and 0.5% with an unknown category), then measures, each in its own
process so that every figure is that process's own peak resident memory:

- ``import_file`` in-process (time of the call only; the process peak includes Python),
- ``angebotskarte import`` as a user runs it (wall time including interpreter start),
- the same file imported again into the filled store (replace the source by id),
- baseline "plain geopandas": ``geopandas.read_file`` of the CSV, points from the columns,
  ``to_file`` as GeoPackage; no validation, no report, no atomic replace: a lower bound;
- baseline "naive": each row validated on its own (no per-column caching) and appended to
  the GeoPackage with one write per row; run on --naive-sample rows and extrapolated.

--compare-commit REV runs the in-process import and re-import once more with the ``geo``
package as it was at git revision REV (read with ``git archive``), to show what a change did.

With --write-docs the figures replace this script's section in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from benchdocs import publish  # noqa: E402 (scripts/ is on sys.path when run)

ROOT = Path(__file__).resolve().parents[1]
# BENCH_IMPORT_CODE: measure another version of the geo package (see --compare-commit).
sys.path.insert(0, os.environ.get("BENCH_IMPORT_CODE") or str(ROOT))

SECTION = "## Import (scripts/bench_import.py)"
LIMIT_S, LIMIT_GB = 60.0, 2.0

HEADERS = ["ID", "Name", "Kategorie", "Träger", "Beschreibung", "Straße", "Hausnummer", "PLZ", "Ort", "Breitengrad",
           "Längengrad", "Art", "Sprachen", "Zielgruppen", "Alter von", "Alter bis", "Öffnungszeiten", "Termin",
           "Telefon", "E-Mail", "Webseite", "Barrierefrei", "Kosten", "Stand"]
CATEGORIES = ["Migrationsberatung", "Beratung", "JMD", "MBE", "Deutschkurs", "Integrationskurs", "Sprachcafé",
              "Begegnungscafé", "Treffpunkt", "Sportverein", "Fußball", "Arztpraxis", "Ärztin", "Hausarzt", "Zahnarzt",
              "Ausländerbehörde", "Jobcenter", "Bürgerbüro", "Sonstiges"]
LANGUAGES = ["Deutsch", "Englisch", "Arabisch", "Farsi", "Persisch (Dari)", "Dari", "Paschtu", "Ukrainisch", "Russisch",
             "Türkisch", "Kurdisch (Kurmanji)", "Kurdisch (Sorani)", "Tigrinya", "Somali", "Französisch", "Rumänisch",
             "Bulgarisch", "Polnisch", "Albanisch", "Serbisch", "Spanisch", "Vietnamesisch", "Arabisch (mit Dolmetscherin)",
             "Russisch (auf Anfrage)", "Englisch: nur donnerstags"]
GROUPS = ["Alle", "Geflüchtete", "Asylsuchende", "Frauen", "Familien", "Kinder", "Jugendliche", "Senior*innen",
          "EU-Bürger*innen", "Internationale Studierende", "Arbeitsuchende"]
HOURS = ["Mo-Fr 09:00-12:00", "Mo,We 18:00-20:15", "Tu,Th 14:00-17:00; Sa 10:00-12:00", "Mo-Fr 08:00-13:00; We off",
         "Mo-Th 08:00-12:00,13:00-16:00; Fr 08:00-12:00", "Sa 10:00-14:00", "", ""]
STREETS = ["Marktstraße", "Mühlstraße", "Königstraße", "Pariser Straße", "Mannheimer Straße", "Trippstadter Straße",
           "Fackelstraße", "Eisenbahnstraße", "Richard-Wagner-Straße", "Am Altenhof", "Rudolf-Breitscheid-Straße",
           "Merkurstraße", "Lauterstraße", "Schillerplatz", "Willy-Brandt-Platz"]


def generate(path: Path, rows: int, seed: int) -> dict:
    """A German Excel CSV of `rows` offers, all with coordinates inside Kaiserslautern's box."""
    rng = random.Random(seed)
    bad_hours = unknown_category = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(HEADERS)
        for i in range(rows):
            category = rng.choice(CATEGORIES)
            if rng.random() < 0.005:
                category, unknown_category = "Mobilität", unknown_category + 1
            hours = rng.choice(HOURS)
            if rng.random() < 0.01:
                hours, bad_hours = "montags 9-12 Uhr", bad_hours + 1
            virtual = rng.random() < 0.03
            writer.writerow([
                f"b-{i:06d}", f"{category} {rng.choice(STREETS).split()[0]} {i}", category, f"Träger {i % 700} e. V.",
                "Beratung, Begleitung; und Vermittlung." if i % 3 else "",
                "" if virtual else rng.choice(STREETS), "" if virtual else f"{rng.randint(1, 180)}{rng.choice(['', '', 'a'])}",
                f"6765{rng.randint(5, 9)}", "Kaiserslautern",
                "" if virtual else f"{rng.uniform(49.38, 49.50):.5f}".replace(".", ","),
                "" if virtual else f"{rng.uniform(7.65, 7.90):.5f}".replace(".", ","),
                "online" if virtual else "vor Ort",
                rng.choice([", ", "; "]).join(rng.sample(LANGUAGES, rng.randint(1, 5))),
                "; ".join(rng.sample(GROUPS, rng.randint(1, 3))),
                str(rng.choice([0, 6, 16, 18])) if i % 4 == 0 else "", str(rng.choice([27, 99])) if i % 8 == 0 else "",
                hours, rng.choice(["keiner", "empfohlen", "erforderlich", ""]), f"0631 5550{i % 1000:03d}",
                f"info{i}@example.org", f"https://example.org/angebote/{i}" if i % 2 else f"www.example.org/{i}",
                rng.choice(["ja", "nein", "eingeschränkt", ""]), rng.choice(["kostenlos", "kostenpflichtig", ""]),
                f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.choice([2024, 2025])}",
            ])
    return {"bad_hours": bad_hours, "unknown_category": unknown_category}


def checkout_geo(revision: str, folder: Path) -> Path:
    """The geo package as it was at a git revision, unpacked into folder (read-only git use)."""
    import io
    import tarfile

    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "geo"], capture_output=True, check=True)
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def write_config(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    cfg = folder / "angebotskarte.toml"
    cfg.write_text('[store]\npath = "store.gpkg"\n', encoding="utf-8")
    return cfg


# -- what runs inside each measured process -------------------------------------------------------------

def child(mode: str, csv_path: Path, folder: Path, sample: int) -> dict:
    started = time.perf_counter()
    result: dict = {}
    if mode in ("import", "reimport"):
        from geo.importer import import_file
        from geo.settings import load_settings

        settings = load_settings(folder / "angebotskarte.toml")
        started = time.perf_counter()
        summary = import_file(csv_path, settings, source="bench", report_path=folder / f"report-{mode}.csv")
        result = {"imported": summary.imported, "rejected": summary.rejected, "warnings": summary.with_warnings,
                  "added": summary.added, "changed": summary.changed, "removed": summary.removed}
    elif mode == "geopandas":
        import geopandas as gpd
        import pandas as pd

        frame = gpd.read_file(csv_path, encoding="utf-8")
        lat = pd.to_numeric(frame["Breitengrad"].str.replace(",", "."), errors="coerce")
        lon = pd.to_numeric(frame["Längengrad"].str.replace(",", "."), errors="coerce")
        points = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs=4326)
        points.to_file(folder / "plain.gpkg", layer="offers", driver="GPKG")
        result = {"imported": len(points)}
    elif mode == "naive":
        result = naive(csv_path, folder, sample)
    result["seconds"] = time.perf_counter() - started
    result["peak_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return result


def naive(csv_path: Path, folder: Path, sample: int) -> dict:
    """The obvious first implementation: validate each row on its own, write it, next row."""
    import pyogrio

    from geo.importer import to_geodataframe
    from geo.readers.tabular import build_raw_table
    from geo.settings import load_settings
    from geo.store import encode_offers
    from geo.validate import validate_table

    settings = load_settings(folder / "angebotskarte.toml")
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=";")
        headers = next(reader)
        rows = [row for _, row in zip(range(sample), reader)]
    target = folder / "naive.gpkg"
    stored = 0
    for number, row in enumerate(rows, start=2):
        result = validate_table(build_raw_table(csv_path.name, headers, [row], [], first_row_number=number),
                                settings, "bench")
        if len(result.offers):
            pyogrio.write_dataframe(encode_offers(to_geodataframe(result.offers)), target, layer="offers",
                                    driver="GPKG", append=target.exists())
            stored += 1
    return {"imported": stored, "sample": len(rows)}


# -- the measuring parent ---------------------------------------------------------------------------------

def run_isolated(args: list[str], cwd: Path, code: str | None = None) -> dict:
    """Run ARGS under a small helper process (`bench_import.py --measure ARGS`) that waits for it
    with wait4, so the figures are that one process's own wall time and peak RSS."""
    env = {**os.environ, "BENCH_IMPORT_CODE": code} if code else None
    proc = subprocess.run([sys.executable, __file__, "--measure", *args], cwd=cwd, capture_output=True, text=True,
                          env=env)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    data = json.loads(lines[-1])
    if data["returncode"] not in (0, 1):
        raise RuntimeError(f"{' '.join(args)} exited {data['returncode']}: {data['stderr_tail']}")
    return data


def measure_here(args: list[str]) -> dict:
    with tempfile.TemporaryFile() as out_fh, tempfile.TemporaryFile() as err_fh:
        started = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out_fh, stderr=err_fh)
        _, status, rusage = os.wait4(proc.pid, 0)  # this child's own rusage, not all children's
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out_fh.seek(0)
        err_fh.seek(0)
        out, err = out_fh.read().decode("utf-8", "replace"), err_fh.read().decode("utf-8", "replace")
    lines = [ln for ln in out.splitlines() if ln.startswith("{")]
    data = json.loads(lines[-1]) if lines else {}
    data.update(wall=wall, peak_bytes=rusage.ru_maxrss * 1024, returncode=proc.returncode,
                output=[ln for ln in out.splitlines() if not ln.startswith("{")], stderr_tail=err.strip().splitlines()[-3:])
    return data


def render(rows: int, facts: dict, results: dict, sample: int, command: str) -> str:
    gb = 1024 ** 3
    cli = results["cli"]
    lines = [
        SECTION, "",
        f"Command: `{command}`",
        "",
        f"Machine: {os.cpu_count()} cores, CPython {platform.python_version()}, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / gb:.0f} GB RAM. Input: {rows:,} offers "
        f"({facts['size_mb']:.1f} MB German Excel CSV, every physical offer with coordinates; "
        f"{facts['bad_hours']} invalid opening hours, {facts['unknown_category']} unknown categories). "
        "Each run in its own process; peak = that process's maximum resident memory, Python included. "
        f"Load average when the run started: {facts['load']:.1f} (other work on the machine slows every row alike).",
        "",
        "| run | rows | time (s) | peak memory (GB) | stored |",
        "|---|---:|---:|---:|---:|",
        f"| `import_file` in-process (the call alone) | {rows:,} | {results['import']['seconds']:.1f} | "
        f"{results['import']['peak_bytes'] / gb:.2f} | {results['import']['imported']:,} |",
        f"| `angebotskarte import` CLI (wall, incl. start-up) | {rows:,} | {cli['wall']:.1f} | "
        f"{cli['peak_bytes'] / gb:.2f} | {results['import']['imported']:,} |",
        f"| re-import into the filled store (replace source by id) | {rows:,} | {results['reimport']['seconds']:.1f} | "
        f"{results['reimport']['peak_bytes'] / gb:.2f} | {results['reimport']['imported']:,} |",
        f"| baseline: `geopandas.read_file` + `to_file` (no validation) | {rows:,} | "
        f"{results['geopandas']['seconds']:.1f} | {results['geopandas']['peak_bytes'] / gb:.2f} | "
        f"{results['geopandas']['imported']:,} |",
        f"| baseline: naive row-by-row validate + write, measured on {sample:,} rows | {sample:,} | "
        f"{results['naive']['seconds']:.1f} | {results['naive']['peak_bytes'] / gb:.2f} | {results['naive']['imported']:,} |",
        f"| naive, extrapolated linearly | {rows:,} | ~{results['naive']['seconds'] * rows / sample:,.0f} | – | – |",
    ]
    if "before_import" in results:
        label = results["before_label"]
        lines += [
            f"| {label}: `import_file` in-process | {rows:,} | {results['before_import']['seconds']:.1f} | "
            f"{results['before_import']['peak_bytes'] / gb:.2f} | {results['before_import']['imported']:,} |",
            f"| {label}: re-import | {rows:,} | {results['before_reimport']['seconds']:.1f} | "
            f"{results['before_reimport']['peak_bytes'] / gb:.2f} | {results['before_reimport']['imported']:,} |",
        ]
    lines += [
        "",
        f"- Requirement: {rows:,} rows with coordinates in under {LIMIT_S:.0f} s and {LIMIT_GB:.0f} GB. CLI: "
        f"{cli['wall']:.1f} s, {cli['peak_bytes'] / gb:.2f} GB → "
        f"{'met' if cli['wall'] < LIMIT_S and cli['peak_bytes'] < LIMIT_GB * gb else 'NOT met'}.",
        f"- Summary printed by the CLI: {' / '.join(cli['output'][:2])}",
        f"- The import does what the plain geopandas round trip does not (column-wise validation with per-distinct-value "
        f"caching, languages, vocabularies, opening hours, duplicates, report, atomic replace) at "
        f"{results['import']['seconds'] / max(results['geopandas']['seconds'], 1e-9):.1f}× its time; the naive "
        f"row-by-row version would need about {results['naive']['seconds'] * rows / sample / 60:,.0f} minutes.",
        f"- Re-importing the unchanged file reports {results['reimport']['changed']:,} changed offers"
        + (f" ({results['before_label']}: {results['before_reimport']['changed']:,})." if "before_reimport" in results
           else "."),
    ]
    return "\n".join(lines) + "\n"



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--naive-sample", type=int, default=500, help="rows for the naive baseline (extrapolated)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--compare-commit", metavar="REV", help="also measure the geo package at git revision REV")
    parser.add_argument("--child", nargs=4, metavar=("MODE", "CSV", "FOLDER", "SAMPLE"), help=argparse.SUPPRESS)
    parser.add_argument("--measure", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        mode, csv_path, folder, sample = args.child
        print(json.dumps(child(mode, Path(csv_path), Path(folder), int(sample))), flush=True)
        return 0
    if args.measure:
        print(json.dumps(measure_here(args.measure)), flush=True)
        return 0

    cli_bin = Path(sys.executable).with_name("angebotskarte")
    cli_cmd = [str(cli_bin)] if cli_bin.exists() else [sys.executable, "-m", "webmap.cli"]
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        tmp = Path(tmp)
        csv_path = tmp / "angebote.csv"
        facts = generate(csv_path, args.rows, args.seed)
        facts["size_mb"] = csv_path.stat().st_size / 1e6
        facts["load"] = os.getloadavg()[0]
        print(f"generated {args.rows:,} rows ({facts['size_mb']:.1f} MB) in {csv_path}", flush=True)

        def in_process(mode: str, folder: Path, sample: int = 0, code: str | None = None) -> dict:
            return run_isolated([sys.executable, __file__, "--child", mode, str(csv_path), str(folder), str(sample)],
                                tmp, code)

        write_config(tmp / "inproc")
        results["import"] = in_process("import", tmp / "inproc")
        print(f"import_file in-process: {results['import']['seconds']:.1f} s, "
              f"{results['import']['peak_bytes'] / 2**30:.2f} GB", flush=True)
        results["reimport"] = in_process("reimport", tmp / "inproc")
        print(f"re-import: {results['reimport']['seconds']:.1f} s, {results['reimport']['peak_bytes'] / 2**30:.2f} GB",
              flush=True)
        cfg = write_config(tmp / "cli")
        results["cli"] = run_isolated([*cli_cmd, "import", str(csv_path), "--config", str(cfg), "--source", "bench",
                                       "--report", str(tmp / "cli" / "report.csv")], tmp)
        print(f"CLI: {results['cli']['wall']:.1f} s, {results['cli']['peak_bytes'] / 2**30:.2f} GB", flush=True)
        write_config(tmp / "plain")
        results["geopandas"] = in_process("geopandas", tmp / "plain")
        print(f"geopandas baseline: {results['geopandas']['seconds']:.1f} s", flush=True)
        write_config(tmp / "naive")
        results["naive"] = in_process("naive", tmp / "naive", args.naive_sample)
        print(f"naive baseline: {results['naive']['seconds']:.1f} s for {args.naive_sample} rows", flush=True)
        if args.compare_commit:
            code = str(checkout_geo(args.compare_commit, tmp / "before-code"))
            write_config(tmp / "before")
            results["before_label"] = f"at {args.compare_commit}"
            results["before_import"] = in_process("import", tmp / "before", code=code)
            results["before_reimport"] = in_process("reimport", tmp / "before", code=code)
            print(f"{results['before_label']}: {results['before_import']['seconds']:.1f} s, re-import "
                  f"{results['before_reimport']['seconds']:.1f} s", flush=True)
    words = [w for w in (sys.argv[1:] if argv is None else argv)]
    if "--write-docs" not in words:
        words.append("--write-docs")
    section = render(args.rows, facts, results, args.naive_sample,
                     shlex.join([".venv/bin/python", "scripts/bench_import.py", *words]))
    print()
    publish(SECTION, section, args.write_docs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
