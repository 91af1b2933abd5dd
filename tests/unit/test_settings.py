"""geo.settings: one TOML file, defaults underneath, paths relative to the file, loud on typos."""

from __future__ import annotations

import tomllib

import pytest

from geo.settings import ConfigError, default_values, defaults_text, load_settings


def write(path, text: str, encoding: str = "utf-8"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def test_defaults_without_any_file_use_cwd(tmp_path):
    settings = load_settings(None)
    assert settings.source is None
    assert settings.values == default_values()
    assert settings.store_path == tmp_path / "angebotskarte.gpkg"


def test_paths_are_relative_to_the_config_file_not_the_cwd(tmp_path, monkeypatch):
    cfg = write(tmp_path / "deploy" / "town.toml", '[store]\npath = "data/offers.gpkg"\n'
                '[districts]\npath = "../shared/districts.geojson"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    settings = load_settings(cfg)
    assert settings.store_path == tmp_path / "deploy" / "data" / "offers.gpkg"
    assert settings.path("districts", "path") == tmp_path / "shared" / "districts.geojson"
    assert settings.path("population", "path") is None  # empty means "not configured"
    assert settings.source == cfg.resolve()


def test_absolute_and_home_paths_are_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    cfg = write(tmp_path / "a.toml", f'[store]\npath = "{tmp_path / "abs.gpkg"}"\n[districts]\npath = "~/d.geojson"\n')
    settings = load_settings(cfg)
    assert settings.store_path == tmp_path / "abs.gpkg"
    assert settings.path("districts", "path") == tmp_path / "home" / "d.geojson"


def test_file_values_override_defaults_and_keep_the_rest(tmp_path):
    cfg = write(tmp_path / "a.toml", '[area]\nname = "München"\nbbox = [11.3, 48.0, 11.8, 48.3]\n')
    settings = load_settings(cfg)
    assert settings.area.name == "München"
    assert settings.bbox == (11.3, 48.0, 11.8, 48.3)
    assert settings.area.timezone == default_values()["area"]["timezone"]
    assert settings.api.max_limit == default_values()["api"]["max_limit"]


# -- where the config comes from: --config, else $ANGEBOTSKARTE_CONFIG, else ./angebotskarte.toml

def test_environment_variable_is_used_without_explicit_path(tmp_path, monkeypatch):
    cfg = write(tmp_path / "env" / "x.toml", '[area]\nname = "Aus der Umgebung"\n')
    monkeypatch.setenv("ANGEBOTSKARTE_CONFIG", str(cfg))
    assert load_settings(None).area.name == "Aus der Umgebung"


def test_cwd_file_is_used_without_path_or_environment(tmp_path):
    write(tmp_path / "angebotskarte.toml", '[area]\nname = "Im Ordner"\n')
    settings = load_settings(None)
    assert settings.area.name == "Im Ordner"
    assert settings.base_dir == tmp_path


def test_precedence_explicit_then_environment_then_cwd(tmp_path, monkeypatch):
    write(tmp_path / "angebotskarte.toml", '[area]\nname = "cwd"\n')
    env = write(tmp_path / "env.toml", '[area]\nname = "env"\n')
    explicit = write(tmp_path / "explicit.toml", '[area]\nname = "explicit"\n')
    monkeypatch.setenv("ANGEBOTSKARTE_CONFIG", str(env))
    assert load_settings(explicit).area.name == "explicit"
    assert load_settings(None).area.name == "env"
    monkeypatch.delenv("ANGEBOTSKARTE_CONFIG")
    assert load_settings(None).area.name == "cwd"


def test_environment_pointing_nowhere_is_an_error_not_silent_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("ANGEBOTSKARTE_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match="missing.toml"):
        load_settings(None)


# -- errors name the file and the key ------------------------------------------------------------

@pytest.mark.parametrize("text, words", [
    ("[area]\nnmae = \"x\"\n", ["nmae", "allowed here", "name"]),
    ("[aera]\nname = \"x\"\n", ["aera"]),
    ("toplevel = 1\n", ["toplevel"]),
    ("[area]\nname = 5\n", ["name", "str"]),
    ("[map]\ndetour_factor = true\n", ["detour_factor"]),
    ("[map]\ndemo = \"ja\"\n", ["demo", "bool"]),
    ("[api]\ndefault_limit = 1.5\n", ["default_limit", "int"]),
    ("[ui]\nlanguages = \"de\"\n", ["languages", "list"]),
    ("[area]\nbbox = [7.6, 49.35, 7.95]\n", ["bbox"]),
    ("[area]\nbbox = [7.95, 49.35, 7.6, 49.52]\n", ["bbox", "lon_min < lon_max"]),
    ("[area]\nbbox = [7.6, 95, 7.95, 96]\n", ["bbox"]),
    ("[area]\ntimezone = \"Mars/Olympus\"\n", ["timezone", "Mars/Olympus"]),
    ("[planning]\ndecay = \"linear\"\n", ["decay", "linear"]),
    ("[embed]\nlink_target = \"_top\"\n", ["link_target"]),
    ("[store]\npath = \"\"\n", ["[store] path"]),
    ("[planning.origin_languages]\nVietnam = \"vi\"\n", ["Vietnam", "list"]),
    ("[vocabulary.categories]\nlegal = 5\n", ["vocabulary.categories.legal"]),
    ("[vocabulary.categories.legal]\nde = 1\n", ["vocabulary.categories.legal", "de"]),
    ("[vocabulary.categories.legal]\naliases = \"Anwalt\"\n", ["aliases"]),
    ("[vocabulary.target_groups.men]\nlabel = \"Männer\"\n", ["label", "allowed"]),
    ("[vocabulary.categories.library]\nicon = \"<svg>\"\n", ["icon", "symbol name"]),
    ("[import.columns]\n\"Plätze\" = 5\n", ["[import.columns]", "Plätze", "name of a field"]),
    ("[import]\ncrs = 25832\n", ["crs", "str"]),
    ("[vocabulary.categories.library]\nlabels = [\"Bibliothek\"]\n", ["labels", "language codes"]),
    ("[vocabulary.categories.library.labels]\nArabic = \"مكتبة\"\n", ["labels", "language codes"]),
])
def test_wrong_keys_and_values_are_refused_naming_file_and_key(tmp_path, text, words):
    cfg = write(tmp_path / "broken.toml", text)
    with pytest.raises(ConfigError) as info:
        load_settings(cfg)
    message = str(info.value)
    assert "broken.toml" in message
    for word in words:
        assert word in message


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="nope.toml.*not found"):
        load_settings(tmp_path / "nope.toml")


def test_invalid_toml_is_named_with_the_position(tmp_path):
    cfg = write(tmp_path / "bad.toml", "[area\nname = 1\n")
    with pytest.raises(ConfigError, match=r"bad.toml: not valid TOML.*line 1"):
        load_settings(cfg)


def test_non_utf8_file_is_named(tmp_path):
    cfg = write(tmp_path / "latin.toml", '[area]\nname = "Zweibrücken"\n', encoding="cp1252")
    with pytest.raises(ConfigError, match="latin.toml: not UTF-8"):
        load_settings(cfg)


def test_integral_float_for_an_integer_key_is_accepted_as_int(tmp_path):
    settings = load_settings(write(tmp_path / "a.toml", "[planning]\ncatchment_m = 1500.0\n"))
    assert settings.planning.catchment_m == 1500
    assert isinstance(settings.values["planning"]["catchment_m"], int)  # as the file meant it, before typing


def test_int_for_a_float_key_is_fine(tmp_path):
    settings = load_settings(write(tmp_path / "a.toml", "[map]\ndetour_factor = 2\n"))
    assert settings.map.detour_factor == 2


# -- open tables: a town adds its own names ----------------------------------------------------

def test_open_sections_accept_new_keys(tmp_path):
    cfg = write(tmp_path / "a.toml", """
[planning.origin_languages]
Vietnam = ["vi"]

[vocabulary.categories.legal_advice]
de = "Rechtsberatung"
en = "Legal advice"
aliases = ["Anwalt", "Rechtshilfe"]
color = "#6a3d9a"

[vocabulary.target_groups.men]
de = "Männer"
""")
    settings = load_settings(cfg)
    assert settings["planning"]["origin_languages"]["Vietnam"] == ["vi"]
    # the defaults of the open table stay unless replaced
    assert settings["planning"]["origin_languages"]["Syrien"] == default_values()["planning"]["origin_languages"]["Syrien"]
    assert settings["vocabulary"]["categories"]["legal_advice"]["aliases"] == ["Anwalt", "Rechtshilfe"]
    assert settings["vocabulary"]["target_groups"]["men"]["de"] == "Männer"


def test_a_town_category_takes_an_icon_and_labels_in_more_languages(tmp_path):
    cfg = write(tmp_path / "town.toml", '[vocabulary.categories.library]\nde = "Bibliothek"\nen = "Library"\n'
                'icon = "meeting_place"\nlabels = { ar = "مكتبة", uk = "Бібліотека" }\n')
    term = load_settings(cfg)["vocabulary"]["categories"]["library"]
    assert term["icon"] == "meeting_place" and term["labels"]["uk"] == "Бібліотека"


def test_overrides_are_merged_over_the_file(tmp_path):
    cfg = write(tmp_path / "a.toml", '[area]\nname = "Datei"\n')
    settings = load_settings(cfg, overrides={"area": {"name": "Override"}, "store": {"path": "x.gpkg"}})
    assert settings.area.name == "Override"
    assert settings.store_path == tmp_path / "x.gpkg"


def test_with_overrides_copies_and_leaves_the_original_alone(tmp_path):
    settings = load_settings(None)
    other = settings.with_overrides({"map": {"demo": True}})
    assert other.map.demo is True
    assert settings.map.demo is False
    other["ui"]["languages"].append("xx")
    assert "xx" not in settings["ui"]["languages"]


# -- the starter config --------------------------------------------------------------------------

def test_defaults_text_is_valid_toml_and_is_what_init_writes(tmp_path):
    assert tomllib.loads(defaults_text()) == default_values()
    from webmap.cli import main

    assert main(["init", str(tmp_path / "new")]) == 0
    written = tmp_path / "new" / "angebotskarte.toml"
    assert written.read_text(encoding="utf-8") == defaults_text()
    assert "#" in written.read_text(encoding="utf-8")  # commented
    settings = load_settings(written)
    assert settings.values == default_values()
    assert settings.store_path == tmp_path / "new" / "angebotskarte.gpkg"
