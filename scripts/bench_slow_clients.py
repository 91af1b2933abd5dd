"""How long /healthz waits while slow clients hold connections: waitress's defaults against ours.

    .venv/bin/python scripts/bench_slow_clients.py [--slow 50,150,500] [--tries 5] [--patience 30]
        [--write-docs]

Each setting serves the demo instance in a child process: "waitress defaults" is
waitress.create_server as `serve` called it before (100 connections, 120 s channel timeout,
checked every 30 s, select()); "ours" is webmap.server.create_server with the [server]
defaults (see docs/deploy.md). For each number of slow clients, that many connections send
half a request and wait; then /healthz is asked --tries times, one after another, and the
time to its answer is recorded (a request still unanswered after --patience seconds counts
as "> patience"). The slow connections stay open throughout.

With --write-docs the figures replace this script's section in docs/benchmarks.md. Take
them on a quiet machine: other load inflates every wall time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path

from benchdocs import publish  # noqa: E402 (scripts/ is on sys.path when run)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECTION = "## Slow clients (scripts/bench_slow_clients.py)"
PARTIAL_REQUEST = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: "
SETTINGS = ("waitress defaults", "ours")


def serve_child(setting: str, config: str, port: int) -> None:
    """Run in the child process: serve the demo store with one setting until killed."""
    import waitress

    from geo.settings import load_settings
    from webmap import create_app
    from webmap.server import ServerOptions, create_server

    settings = load_settings(config)
    app = create_app(settings)
    if setting == "waitress defaults":
        server = waitress.create_server(app, host="127.0.0.1", port=port, threads=8)
    else:
        options = ServerOptions.from_settings(settings, host="127.0.0.1", port=port)
        server = create_server(app, host=options.host, port=options.port, threads=options.threads,
                               connection_limit=options.connection_limit, channel_timeout=options.channel_timeout)
    print("ready", flush=True)
    server.run()


def healthz_seconds(port: int, patience: float) -> float:
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=patience) as response:
            response.read()
    except (urllib.error.URLError, TimeoutError, ConnectionError):
        return float("inf")
    return time.perf_counter() - start


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure(setting: str, config: Path, slow: int, tries: int, patience: float) -> list[float]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, __file__, "--child", setting, str(config), str(port)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready", "the server did not start"
        while healthz_seconds(port, 5) == float("inf"):  # the first answer loads the data
            time.sleep(0.2)
        with ExitStack() as stack:
            for _ in range(slow):
                sock = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=10))
                sock.sendall(PARTIAL_REQUEST)
            return [healthz_seconds(port, patience) for _ in range(tries)]
    finally:
        proc.kill()
        proc.wait()


def demo_config(folder: Path) -> Path:
    from webmap.cli import main

    work = folder / "demo"
    shutil.copytree(ROOT / "data" / "demo", work, ignore=shutil.ignore_patterns("build"))
    config = work / "angebotskarte.toml"
    assert main(["demo", "--config", str(config)]) == 0
    return config


def shown(seconds: float, patience: float) -> str:
    return f"> {patience:g} s" if seconds == float("inf") else f"{seconds * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", default="50,150,500", help="numbers of slow clients, comma-separated")
    parser.add_argument("--tries", type=int, default=5, help="/healthz requests per measurement")
    parser.add_argument("--patience", type=float, default=30.0, help="seconds before a request counts as lost")
    parser.add_argument("--write-docs", action="store_true", help="replace this section of docs/benchmarks.md")
    parser.add_argument("--child", nargs=3, metavar=("SETTING", "CONFIG", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        serve_child(args.child[0], args.child[1], int(args.child[2]))
        return
    counts = [int(n) for n in args.slow.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        config = demo_config(Path(tmp))
        for setting in SETTINGS:
            for slow in counts:
                times = measure(setting, config, slow, args.tries, args.patience)
                answered = [t for t in times if t != float("inf")]
                median = statistics.median(times)
                rows.append(f"| {setting} | {slow} | {len(answered)} of {len(times)} | {shown(median, args.patience)} "
                            f"| {shown(max(times), args.patience)} |")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    section = "\n".join([
        SECTION, "",
        f"`/healthz` while slow clients each hold a connection with half a request (demo instance, "
        f"{args.tries} requests one after another, patience {args.patience:g} s, load average {load:.1f}). "
        "Reproduce with `.venv/bin/python scripts/bench_slow_clients.py`.", "",
        "| server | slow clients | answered | median | slowest |", "|---|---|---|---|---|", *rows, ""])
    publish(SECTION, section, args.write_docs)


if __name__ == "__main__":
    main()
