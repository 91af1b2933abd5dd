"""One module per ``angebotskarte`` subcommand; each exposes ``register(subparsers)``."""
