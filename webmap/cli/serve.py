"""angebotskarte serve: serve the web app with waitress (see webmap/server.py)."""

from __future__ import annotations

import socket

import click

from geo.settings import Settings
from webmap.cli.base import Command, CommandError, pass_settings, say
from webmap.cli.options import Limited, existing_store
from webmap.server import ServerOptions, create_server


@click.command("serve", cls=Command, short_help="serve map, list, API and embed over HTTP (waitress)")
@click.option("--host", metavar="HOST", help="interface to listen on (default: [server] host, 127.0.0.1)")
@click.option("--port", type=Limited("port"), metavar="PORT", help="port, 1 to 65535 (default: [server] port, 5000)")
@click.option("--threads", type=Limited("threads"), metavar="N", help="worker threads (default: [server] threads, 8)")
@click.option("--connection-limit", type=Limited("connection_limit"), metavar="N",
              help="connections served at once; more wait in the queue (default: [server] connection_limit, 1000)")
@click.option("--channel-timeout", type=Limited("channel_timeout"), metavar="SECONDS",
              help="close connections silent this long (default: [server] channel_timeout, 30)")
@pass_settings
def command(settings: Settings, **overrides: int | str | None) -> int:
    """Serve the web app with the waitress WSGI server. GET /healthz answers 200 once the
    data is loaded. Every option defaults to the [server] section of the config; on the
    internet, put a reverse proxy in front (docs/deploy.md)."""
    from webmap import create_app

    try:
        options = ServerOptions.from_settings(settings, **overrides)
    except ValueError as exc:
        raise CommandError(f"configuration: {exc}") from None
    existing_store(settings)
    app = create_app(settings)
    with app.app_context():
        # Load the data and build the search index before the first visitor waits for it.
        from webmap.state import current_data

        data = current_data()
        count = len(data.offers)
        data.index
    _check_can_listen(options.host, options.port)
    server = create_server(app, host=options.host, port=options.port, threads=options.threads,
                           connection_limit=options.connection_limit, channel_timeout=options.channel_timeout)
    say(f"serving {count} offers of {settings.area.name} on http://{options.host}:{options.port}/ "
        f"({options.describe()}; Ctrl-C stops)")
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
