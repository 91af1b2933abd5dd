"""angebotskarte serve: serve the web app with waitress (a production WSGI server)."""

from __future__ import annotations

import argparse
import socket

from webmap.commands._common import CommandError, add_config_argument, say, settings_from_args


def _port(text: str) -> int:
    """A TCP port number, 1 to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1 to 65535)") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (1 to 65535)")
    return port


def _threads(text: str) -> int:
    try:
        threads = int(text)
    except ValueError:
        threads = 0
    if not 1 <= threads <= 256:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of threads (1 to 256)")
    return threads


def register(sub) -> None:
    p = sub.add_parser("serve", help="serve map, list, API and embed over HTTP (waitress)",
                       description="Serve the web app with the waitress WSGI server. GET /healthz answers 200 "
                                   "once the data is loaded.")
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=_port, default=5000, help="port, 1 to 65535 (default: 5000)")
    p.add_argument("--threads", type=_threads, default=8, help="worker threads (default: 8)")
    add_config_argument(p)
    p.set_defaults(func=run)


def _check_can_listen(host: str, port: int) -> None:
    """Refuse early, in one line, when the address cannot be bound.

    Checked with a socket of our own because waitress leaves its socket open when
    binding fails.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise CommandError(f"cannot listen on {host}:{port}: unknown host or address") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress does
        try:
            probe.bind(address)
        except OSError as exc:  # port taken, or no permission for ports below 1024
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def run(args) -> int:
    import waitress

    from webmap import create_app

    settings = settings_from_args(args)
    from geo.store import open_store

    store = open_store(settings)
    if not store.exists():
        raise CommandError(f"no store at {store.label}; import offers first (angebotskarte import FILE)")
    app = create_app(settings)
    with app.app_context():
        # Load the data and build the search index before the first visitor waits for it.
        from webmap.state import current_data

        data = current_data()
        count = len(data.offers)
        data.index
    _check_can_listen(args.host, args.port)
    # waitress logs no request lines by default, so user-entered addresses never reach a log.
    server = waitress.create_server(app, host=args.host, port=args.port, threads=args.threads, ident="angebotskarte")
    say(f"serving {count} offers of {settings.get('area', 'name')} on http://{args.host}:{args.port}/ (Ctrl-C stops)")
    try:
        server.run()
    finally:
        server.close()
    return 0
