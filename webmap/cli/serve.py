"""angebotskarte serve: serve the web app with waitress (see webmap/server.py)."""

from __future__ import annotations

import socket

import click

from geo.settings import Settings
from webmap.cli.base import Command, CommandError, pass_settings, say
from webmap.cli.options import Limited, existing_store


@click.command("serve", cls=Command, short_help="serve map, list, API and embed over HTTP (waitress)")
@click.option("--host", default="127.0.0.1", show_default=True, help="interface to listen on")
@click.option("--port", type=Limited("port"), default=5000, show_default=True, help="port, 1 to 65535")
@click.option("--threads", type=Limited("threads"), default=8, show_default=True, help="worker threads")
@pass_settings
def command(settings: Settings, host: str, port: int, threads: int) -> int:
    """Serve the web app with the waitress WSGI server. GET /healthz answers 200 once the
    data is loaded."""
    import waitress

    from webmap import create_app

    existing_store(settings)
    app = create_app(settings)
    with app.app_context():
        # Load the data and build the search index before the first visitor waits for it.
        from webmap.state import current_data

        data = current_data()
        count = len(data.offers)
        data.index
    _check_can_listen(host, port)
    # waitress logs no request lines by default, so user-entered addresses never reach a log.
    server = waitress.create_server(app, host=host, port=port, threads=threads, ident="angebotskarte")
    say(f"serving {count} offers of {settings.get('area', 'name')} on http://{host}:{port}/ (Ctrl-C stops)")
    try:
        server.run()
    finally:
        server.close()
    return 0


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
