"""`angebotskarte` as a user meets it: --help, --config after every command, no tracebacks, serve."""

from __future__ import annotations

import json
import re
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from webmap.cli import cli, main
from webmap.cli.base import CliState

BIN = Path(sys.executable).with_name("angebotskarte")


def commands(group: click.Group = cli, path: tuple[str, ...] = ()) -> dict[tuple, click.Command]:
    """Every command and nested command ("gazetteer build"), by its words."""
    found = {}
    for name, sub in group.commands.items():
        found[path + (name,)] = sub
        if isinstance(sub, click.Group):
            found.update(commands(sub, path + (name,)))
    return found


def leaf_commands() -> dict[tuple, click.Command]:
    return {words: sub for words, sub in commands().items() if not isinstance(sub, click.Group)}


def required_arguments(command: click.Command) -> list[str]:
    """Placeholder values for the positionals and required options of one command."""
    args = []
    for param in command.params:
        if isinstance(param, click.Option):
            if param.required:
                args += [param.opts[-1], "x"]
        elif param.required:
            args.append("1" if isinstance(param.type, (click.types.IntParamType, click.types.FloatParamType)) else "x")
    return args


@pytest.fixture
def parsed(monkeypatch):
    """Run the real parser on argv; return what the command received and the config it would load."""

    def parse(argv: list[str], env: dict | None = None) -> tuple[dict, Path | None]:
        command: click.Command = cli
        for word in argv:  # the command the words name, e.g. "gazetteer build"
            if isinstance(command, click.Group) and word in command.commands:
                command = command.commands[word]
        seen = {}

        def capture(**kwargs):
            seen.update(kwargs, config=click.get_current_context().find_object(CliState).config)

        monkeypatch.setattr(command, "callback", capture)
        result = CliRunner().invoke(cli, argv, env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return seen, seen.pop("config")

    return parse


def cli_process(*args, cwd=None, env=None) -> subprocess.CompletedProcess:
    command = [str(BIN)] if BIN.exists() else [sys.executable, "-m", "webmap.cli"]
    return subprocess.run(command + [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_the_issue_commands_exist():
    assert {"init", "import", "export", "districts", "population", "demo", "serve"} <= set(cli.commands)


@pytest.mark.parametrize("words", sorted(commands()), ids=" ".join)
def test_every_subcommand_has_help(words):
    result = CliRunner().invoke(cli, [*words, "--help"])
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith(f"Usage: angebotskarte {' '.join(words)}")
    # it explains itself: its own description, not only the list of options
    description = " ".join(commands()[words].help.split())
    assert len(description) > 60 and description[:40] in " ".join(out.split())
    if not isinstance(commands()[words], click.Group):
        assert "--config" in out


@pytest.mark.parametrize("words", sorted(leaf_commands()), ids=" ".join)
def test_every_subcommand_takes_config_after_its_name(words, parsed):
    args = required_arguments(leaf_commands()[words])
    assert parsed([*words, "--config", "deploy.toml", *args])[1] == Path("deploy.toml")
    assert parsed([*words, *args, "--config", "deploy.toml"])[1] == Path("deploy.toml")
    assert parsed(["--config", "deploy.toml", *words, *args])[1] == Path("deploy.toml")


def test_config_on_the_command_line_wins_over_the_environment(parsed):
    env = {"ANGEBOTSKARTE_CONFIG": "env.toml"}
    assert parsed(["export"], env=env)[1] == Path("env.toml")
    assert parsed(["export", "--config", "cli.toml"], env=env)[1] == Path("cli.toml")
    assert parsed(["--config", "cli.toml", "export"], env=env)[1] == Path("cli.toml")
    assert parsed(["--config", "first.toml", "export", "--config", "last.toml"], env=env)[1] == Path("last.toml")
    assert parsed(["export"])[1] is None  # load_settings then tries ./angebotskarte.toml


def test_import_options_of_the_issue(parsed):
    kwargs, config = parsed(["import", "liste.xlsx", "--config", "c.toml", "--report", "r.csv", "--strict",
                             "--source", "stadt", "--sheet", "Blatt2"])
    assert (kwargs["file"], config, kwargs["report"], kwargs["strict"], kwargs["source"], kwargs["sheet"]) == (
        Path("liste.xlsx"), Path("c.toml"), Path("r.csv"), True, "stadt", "Blatt2")


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().out


def test_init_writes_a_loadable_config_and_refuses_to_overwrite(tmp_path, capsys):
    assert main(["init", str(tmp_path / "neu")]) == 0
    target = tmp_path / "neu" / "angebotskarte.toml"
    assert target.exists() and str(target) in capsys.readouterr().out
    target.write_text("# meine Änderungen\n", encoding="utf-8")
    assert main(["init", str(tmp_path / "neu")]) == 2
    assert "--force" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "# meine Änderungen\n"
    assert main(["init", str(tmp_path / "neu"), "--force"]) == 0
    assert "[area]" in target.read_text(encoding="utf-8")


def test_config_from_environment_and_cwd(tmp_path, monkeypatch, capsys):
    (tmp_path / "liste.csv").write_text("Name\nA\n", encoding="utf-8")
    (tmp_path / "env.toml").write_text('[store]\npath = "from-env.gpkg"\n', encoding="utf-8")
    (tmp_path / "angebotskarte.toml").write_text('[store]\npath = "from-cwd.gpkg"\n', encoding="utf-8")
    assert main(["import", "liste.csv"]) == 0
    assert (tmp_path / "from-cwd.gpkg").exists()
    monkeypatch.setenv("ANGEBOTSKARTE_CONFIG", str(tmp_path / "env.toml"))
    assert main(["import", "liste.csv"]) == 0
    assert (tmp_path / "from-env.gpkg").exists()


@pytest.mark.parametrize("args, words", [
    (["import", "fehlt.csv"], "fehlt.csv: file not found"),
    (["import", "liste.csv", "--config", "fehlt.toml"], "fehlt.toml"),
    (["import", "liste.csv", "--config", "kaputt.toml"], "kaputt.toml"),
    (["import", "liste.csv", "--report", "/proc/nicht-schreibbar/r.csv"], "nicht-schreibbar"),
    (["import", "kaputt.xlsx"], "kaputt.xlsx: not a readable Excel workbook"),
    (["districts", "liste.csv"], "liste.csv"),
    (["districts"], "[districts] path is empty"),
    (["population", "liste.csv"], "no column 'district'"),
    (["export"], "no store"),
    (["serve", "--port", "1"], "no store"),
])
def test_errors_are_one_line_without_traceback(tmp_path, capsys, args, words):
    (tmp_path / "liste.csv").write_text("Name\nA\n", encoding="utf-8")
    (tmp_path / "kaputt.toml").write_text("[area\n", encoding="utf-8")
    (tmp_path / "kaputt.xlsx").write_bytes(b"PK\x03\x04 kein Excel")
    code = main(args)
    out, err = capsys.readouterr()
    assert code in (1, 2)
    assert words in err
    assert "Traceback" not in err + out
    assert err.startswith(f"angebotskarte {args[0]}") or f"angebotskarte {args[0]}:" in err


def test_the_real_entry_point_shows_no_traceback(tmp_path):
    (tmp_path / "liste.csv").write_bytes(b"Name;Ort\nB\x81ro;K\x8dln\n")
    result = cli_process("import", "liste.csv", cwd=tmp_path)
    assert result.returncode == 2
    assert "liste.csv: unknown text encoding" in result.stderr
    assert "Traceback" not in result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {}


def test_serve_answers_healthz_once_data_is_loaded(tmp_path):
    (tmp_path / "cfg.toml").write_text('[store]\npath = "store.gpkg"\n', encoding="utf-8")
    (tmp_path / "liste.csv").write_text("Name;Breitengrad;Längengrad\nA;49,44;7,75\nB;;\n", encoding="utf-8")
    assert main(["import", str(tmp_path / "liste.csv"), "--config", str(tmp_path / "cfg.toml")]) == 0
    port = free_port()
    command = [str(BIN)] if BIN.exists() else [sys.executable, "-m", "webmap.cli"]
    proc = subprocess.Popen(command + ["serve", "--config", str(tmp_path / "cfg.toml"), "--port", str(port),
                                       "--host", "127.0.0.1"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        status, body = None, {}
        deadline = time.monotonic() + 90  # a patience limit, not a speed requirement
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status, body = get(f"http://127.0.0.1:{port}/healthz")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        assert proc.poll() is None, proc.stderr.read()
        assert status == 200 and body["status"] == "ok" and body["offers"] == 2
        assert body["version"]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert response.status == 200
            assert response.headers.get("Set-Cookie") is None
            assert response.headers.get("X-Content-Type-Options") == "nosniff"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out, err = proc.communicate()
    assert f"127.0.0.1:{port}" in out
    assert "Traceback" not in err


@pytest.mark.parametrize("port", ["0", "65536", "99999", "http"])
def test_serve_refuses_a_port_that_cannot_exist(port, capsys):
    assert main(["serve", "--port", port]) == 2
    assert "not a port number (1 to 65535)" in capsys.readouterr().err


def test_serve_says_when_the_port_is_taken(tmp_path, capsys):
    (tmp_path / "cfg.toml").write_text('[store]\npath = "store.gpkg"\n', encoding="utf-8")
    (tmp_path / "liste.csv").write_text("Name;Breitengrad;Längengrad\nA;49,44;7,75\n", encoding="utf-8")
    assert main(["import", str(tmp_path / "liste.csv"), "--config", str(tmp_path / "cfg.toml")]) == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["serve", "--config", str(tmp_path / "cfg.toml"), "--port", str(port)])
    assert code == 2
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err and "Traceback" not in err


def test_an_unexpected_error_is_one_line_unless_debugging(tmp_path, capsys, monkeypatch):
    def broken(**options):
        raise RuntimeError("kaputt")

    monkeypatch.setattr(cli.commands["export"], "callback", broken)
    assert main(["export"]) == 2
    err = capsys.readouterr().err
    assert "unexpected error: RuntimeError: kaputt" in err and "Traceback" not in err
    monkeypatch.setenv("ANGEBOTSKARTE_DEBUG", "1")
    with pytest.raises(RuntimeError, match="kaputt"):
        main(["export"])


def _readme_rows() -> dict[tuple, str]:
    """The README's command table: command words -> the usage written in the first column."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    rows = {}
    for usage in re.findall(r"^\| `([^`]+)` \|", readme, re.M):
        words = tuple(w for w in usage.split()[:2] if re.fullmatch(r"[a-z-]+", w))
        rows[words if words in commands() else words[:1]] = usage
    return rows


def test_the_readme_table_lists_every_command_with_real_options():
    rows = _readme_rows()
    missing = [" ".join(w) for w in leaf_commands() if w not in rows]
    assert not missing, f"commands missing from README's table: {missing}"
    for words, usage in rows.items():
        assert words in commands(), f"README lists {' '.join(words)!r}, which is no command"
        options = {o for p in commands()[words].params for o in getattr(p, "opts", ()) if o.startswith("--")}
        unknown = set(re.findall(r"--[a-z-]+", usage)) - options
        assert not unknown, f"README row {usage!r} names options the command lacks: {unknown}"
