"""Serving: slow clients cannot lock everyone out (webmap/server.py and `angebotskarte serve`)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from flask import Flask

from geo.settings import load_settings
from webmap.cli import main
from webmap.server import LIMITS, ServerOptions, check_limit, create_server

BIN = Path(sys.executable).with_name("angebotskarte")
# Half a request: the headers never end, as a slow or malicious client sends them.
PARTIAL_REQUEST = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: "


# -- the limits -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, value, message", [
    ("port", 0, "0 is not a port number (1 to 65535)"),
    ("port", "http", "'http' is not a port number (1 to 65535)"),
    ("threads", 257, "257 is not a number of threads (1 to 256)"),
    ("connection_limit", 2.5, "2.5 is not a connection limit (1 to 100000)"),
    ("channel_timeout", True, "True is not a number of seconds (1 to 86400)"),
])
def test_out_of_range_numbers_are_named(name, value, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_limit(name, value)


def test_limits_accept_text_and_whole_floats():
    assert check_limit("port", " 8080 ") == 8080
    assert check_limit("channel_timeout", 30.0) == 30


def test_options_come_from_the_server_section_and_overrides_win(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[server]\nhost = "0.0.0.0"\nport = 8080\nthreads = 4\nconnection_limit = 300\n'
                      'channel_timeout = 10\n', encoding="utf-8")
    settings = load_settings(config)
    assert ServerOptions.from_settings(settings) == ServerOptions("0.0.0.0", 8080, 4, 300, 10)
    assert ServerOptions.from_settings(settings, port=9000, threads=None) == ServerOptions("0.0.0.0", 9000, 4, 300, 10)


def test_defaults_are_above_waitress_own_limits():
    """waitress alone: 100 connections, 120 s; about 100 slow clients locked everyone out."""
    defaults = ServerOptions.from_settings(load_settings(None))
    assert defaults.connection_limit >= 1000 and defaults.channel_timeout <= 30


def test_a_bad_server_setting_is_named(tmp_path, capsys):
    config = tmp_path / "c.toml"
    config.write_text('[server]\nthreads = 0\n', encoding="utf-8")
    assert main(["serve", "--config", str(config)]) == 2
    assert "[server] threads: 0 is not a number of threads (1 to 256)" in capsys.readouterr().err


def test_create_server_sets_the_limits_and_polls():
    app = Flask(__name__)
    server = create_server(app, host="127.0.0.1", port=free_port(), threads=3, connection_limit=500,
                           channel_timeout=8)
    try:
        adj = server.adj
        assert (adj.threads, adj.connection_limit, adj.channel_timeout) == (3, 500, 8)
        assert adj.cleanup_interval == 2  # silent connections are looked for often, not every 30 s
        assert adj.asyncore_use_poll  # select() fails beyond 1024 file descriptors
    finally:
        server.close()


def test_create_server_refuses_numbers_out_of_range():
    with pytest.raises(ValueError, match="not a connection limit"):
        create_server(Flask(__name__), host="127.0.0.1", port=free_port(), threads=1, connection_limit=0,
                      channel_timeout=5)


def test_connection_limit_fits_the_open_file_limit(monkeypatch, caplog):
    resource = pytest.importorskip("resource")
    import webmap.server as server_module

    monkeypatch.setattr(resource, "getrlimit", lambda kind: (256, 512))
    asked = []
    monkeypatch.setattr(resource, "setrlimit", lambda kind, limits: asked.append(limits))
    # raised to the hard limit, and the rest of the connections given up with a warning
    assert server_module._fit_open_file_limit(1000, threads=8) == 512 - 8 - server_module._SPARE_FILES
    assert asked == [(512, 512)]
    assert "connection limit lowered from 1000" in caplog.text
    monkeypatch.setattr(resource, "getrlimit", lambda kind: (1024, resource.RLIM_INFINITY))
    asked.clear()
    assert server_module._fit_open_file_limit(2000, threads=8) == 2000
    assert asked == [(2000 + 8 + server_module._SPARE_FILES, resource.RLIM_INFINITY)]


def test_limits_table_matches_the_serve_options():
    from webmap.cli import cli

    options = {o for p in cli.commands["serve"].params for o in getattr(p, "opts", ())}
    assert {"--" + name.replace("_", "-") for name in LIMITS} <= options


# -- slow clients against the real server ---------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthz(port: int, timeout: float) -> tuple[int, dict]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=timeout) as response:
        return response.status, json.loads(response.read())


@contextmanager
def serving(tmp_path: Path, *options: str):
    """`angebotskarte serve` on a small store, in its own process; yields the port once it answers."""
    (tmp_path / "cfg.toml").write_text('[store]\npath = "store.gpkg"\n', encoding="utf-8")
    (tmp_path / "liste.csv").write_text("Name;Breitengrad;Längengrad\nA;49,44;7,75\n", encoding="utf-8")
    assert main(["import", str(tmp_path / "liste.csv"), "--config", str(tmp_path / "cfg.toml")]) == 0
    port = free_port()
    console: list[str] = []  # stdout and stderr, once it has stopped
    command = [str(BIN)] if BIN.exists() else [sys.executable, "-m", "webmap.cli"]
    proc = subprocess.Popen(command + ["serve", "--config", str(tmp_path / "cfg.toml"), "--port", str(port), *options],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90  # a patience limit for a busy machine, not a speed requirement
        while True:
            assert proc.poll() is None, proc.stderr.read()
            try:
                healthz(port, timeout=5)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                assert time.monotonic() < deadline, "serve did not answer /healthz"
                time.sleep(0.2)
        yield port, console
    finally:
        proc.terminate()
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        console += [out, err]


def hold_slow_connections(stack: ExitStack, port: int, count: int) -> list[socket.socket]:
    """``count`` connections that each send half a request and then wait."""
    held = []
    for _ in range(count):
        sock = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=30))
        sock.sendall(PARTIAL_REQUEST)
        held.append(sock)
    return held


def test_many_slow_clients_do_not_lock_out_healthz(tmp_path):
    """150 half-sent requests (waitress alone served 100 connections at most) while /healthz is asked."""
    with serving(tmp_path) as (port, _console), ExitStack() as stack:
        hold_slow_connections(stack, port, 150)
        status, body = healthz(port, timeout=20)  # waitress's default would hold it for 120 s and more
        assert status == 200 and body["status"] == "ok"


def test_when_the_limit_is_full_silent_clients_are_dropped_and_healthz_answers(tmp_path):
    with (serving(tmp_path, "--connection-limit", "10", "--channel-timeout", "2") as (port, console),
          ExitStack() as stack):
        held = hold_slow_connections(stack, port, 25)
        status, body = healthz(port, timeout=30)  # patience: 25 slow clients take three rounds of 2 s
        assert status == 200 and body["status"] == "ok"
        first = held[0]
        first.settimeout(30)
        try:
            assert first.recv(1024) == b""  # the server closed the silent connection
        except ConnectionResetError:
            pass
    assert "up to 10 connections" in console[0] and "Traceback" not in console[1]
