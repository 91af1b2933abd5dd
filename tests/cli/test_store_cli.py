"""angebotskarte history, revert and db upgrade on both backends."""

from __future__ import annotations

import json

import pytest
from conftest import write_csv

from webmap.cli import main


@pytest.fixture
def config(store_backend, tmp_path, capsys):
    path = tmp_path / "angebotskarte.toml"
    path.write_text(store_backend.toml(), encoding="utf-8")
    write_csv(tmp_path / "l.csv", "ID;Name;Telefon\nt1;Treff;0631 1\n")
    assert main(["import", str(tmp_path / "l.csv"), "--source", "stadt", "--config", str(path)]) == 0
    with store_backend.open() as store:
        store.update_offer("t1", {"name": "Treff am Markt", "phone": ""}, expected_version=1,
                           actor="editor@example.org")
    capsys.readouterr()
    return path


def test_history_prints_every_version_with_who_and_what(config, capsys):
    assert main(["history", "t1", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "version 1" in out and "create  by import l.csv" in out and '    name: "Treff"' in out
    assert "version 2" in out and "update  by editor@example.org" in out
    assert '    name: "Treff" -> "Treff am Markt"' in out and '    phone: "0631 1" -> ""' in out
    assert main(["history", "t1", "--json", "--config", str(config)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(e["offer_version"], e["action"]) for e in lines] == [(1, "create"), (2, "update")]


def test_revert_makes_an_earlier_version_current_as_a_new_one(config, capsys, store_backend):
    assert main(["revert", "t1", "--to", "1", "--config", str(config)]) == 0
    assert "reverted to version 1 (now version 3)" in capsys.readouterr().out
    with store_backend.open() as store:
        offer = store.offer("t1")
        assert (offer["name"], offer["phone"], offer["version"]) == ("Treff", "0631 1", 3)
        assert store.history("t1")[-1].action == "revert" and store.history("t1")[-1].actor.startswith("cli:")
    assert main(["revert", "t1", "--to", "1", "--config", str(config)]) == 0
    assert "nothing changed" in capsys.readouterr().out


@pytest.mark.parametrize("args, code, words", [
    (["history", "nope"], 1, "no offer 'nope'"),
    (["revert", "nope", "--to", "1"], 2, "no offer 'nope'"),
    (["revert", "t1", "--to", "7"], 2, "versions 1 to 2"),
    (["revert", "t1", "--to", "zwei"], 2, "version number"),
])
def test_history_and_revert_explain_bad_ids_and_versions(config, capsys, args, code, words):
    assert main([*args, "--config", str(config)]) == code
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_db_upgrade_creates_an_empty_store_once(store_backend, tmp_path, capsys):
    path = tmp_path / "neu.toml"
    path.write_text(store_backend.toml(), encoding="utf-8")
    assert main(["db", "upgrade", "--config", str(path)]) == 0
    assert "created, schema 0001" in capsys.readouterr().out
    with store_backend.open() as store:
        assert store.exists() and store.offers().empty and store.version.endswith(":0")
