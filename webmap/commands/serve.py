"""angebotskarte serve: serve the web app with waitress (a production WSGI server)."""

from __future__ import annotations

from webmap.commands._common import CommandError, add_config_argument, say, settings_from_args


def register(sub) -> None:
    p = sub.add_parser("serve", help="serve map, list, API and embed over HTTP (waitress)",
                       description="Serve the web app with the waitress WSGI server. GET /healthz answers 200 "
                                   "once the data is loaded.")
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=5000, help="port (default: 5000)")
    p.add_argument("--threads", type=int, default=8, help="worker threads (default: 8)")
    add_config_argument(p)
    p.set_defaults(func=run)


def run(args) -> int:
    import waitress

    from webmap import create_app

    settings = settings_from_args(args)
    if not settings.store_path.exists():
        raise CommandError(f"no store at {settings.store_path}; import offers first (angebotskarte import FILE)")
    app = create_app(settings)
    with app.app_context():
        # Load the data and build the search index before the first visitor waits for it.
        from webmap.state import current_data

        data = current_data()
        count = len(data.offers)
        try:
            data.index
        except ImportError:
            pass
    say(f"serving {count} offers of {settings.get('area', 'name')} on http://{args.host}:{args.port}/ (Ctrl-C stops)")
    # waitress logs no request lines by default, so user-entered addresses never reach a log.
    waitress.serve(app, host=args.host, port=args.port, threads=args.threads, ident="angebotskarte")
    return 0
