"""The deployment's TOML configuration, read once and passed down explicitly.

The defaults live in ``geo/defaults.toml``; that same commented file is what
``angebotskarte init`` writes as a starter config, so the documentation of the
defaults and the defaults themselves cannot drift apart.
"""

from __future__ import annotations

import copy
import os
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

ENV_VAR = "ANGEBOTSKARTE_CONFIG"
DEFAULT_FILENAME = "angebotskarte.toml"

# Sections whose keys are free (a town adds its own names), so unknown keys are fine there.
_OPEN_SECTIONS = {("planning", "origin_languages"), ("vocabulary", "categories"), ("vocabulary", "target_groups"),
                  ("import", "columns")}


class ConfigError(Exception):
    """A configuration file is missing, unreadable or holds a wrong key or value."""


def defaults_text() -> str:
    """The commented default configuration, as ``angebotskarte init`` writes it."""
    return resources.files("geo").joinpath("defaults.toml").read_text(encoding="utf-8")


def default_values() -> dict[str, Any]:
    """The default configuration as a nested dict."""
    return tomllib.loads(defaults_text())


@dataclass
class Settings:
    """A deployment's configuration: defaults merged with one TOML file.

    ``base_dir`` is the folder of the config file; relative paths in the file are
    resolved against it (see :meth:`path`).
    """

    values: dict[str, Any]
    base_dir: Path
    source: Path | None = None
    _extra: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, section: str) -> dict[str, Any]:
        return self.values[section]

    def get(self, section: str, key: str, default: Any = None) -> Any:
        return self.values.get(section, {}).get(key, default)

    def path(self, section: str, key: str) -> Path | None:
        """An absolute path for a path-valued key, or None when it is empty."""
        raw = self.get(section, key, "")
        if not raw:
            return None
        p = Path(os.path.expanduser(str(raw)))
        return p if p.is_absolute() else (self.base_dir / p).resolve()

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        lon_min, lat_min, lon_max, lat_max = self.values["area"]["bbox"]
        return float(lon_min), float(lat_min), float(lon_max), float(lat_max)

    @property
    def store_path(self) -> Path:
        return self.path("store", "path")  # type: ignore[return-value]

    def with_overrides(self, overrides: dict[str, dict[str, Any]]) -> "Settings":
        """A copy with some keys replaced (tests and the CLI use this)."""
        values = copy.deepcopy(self.values)
        _merge(values, overrides, where="overrides", check=False)
        return Settings(values=values, base_dir=self.base_dir, source=self.source)


def resolve_config_path(explicit: str | os.PathLike | None) -> Path | None:
    """--config, else $ANGEBOTSKARTE_CONFIG, else ./angebotskarte.toml when it exists."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    local = Path.cwd() / DEFAULT_FILENAME
    return local if local.exists() else None


def load_settings(path: str | os.PathLike | None = None, overrides: dict | None = None) -> Settings:
    """Read the configuration.

    Parameters
    ----------
    path
        The TOML file; when None the environment variable and ./angebotskarte.toml
        are tried, and without either the defaults are used (base dir = cwd).
    overrides
        Nested dict merged over the file (used by tests).

    Raises
    ------
    ConfigError
        Naming the file and the key when the file is missing, not TOML, or holds an
        unknown key or a value of the wrong type.
    """
    values = default_values()
    cfg_path = resolve_config_path(path)
    base_dir = Path.cwd()
    if cfg_path is not None:
        if not cfg_path.exists():
            raise ConfigError(f"{cfg_path}: configuration file not found")
        try:
            user = tomllib.loads(cfg_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{cfg_path}: not valid TOML: {exc}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{cfg_path}: not UTF-8 text") from None
        _merge(values, user, where=str(cfg_path))
        base_dir = cfg_path.resolve().parent
        cfg_path = cfg_path.resolve()
    if overrides:
        _merge(values, overrides, where="overrides", check=False)
    _check_values(values, str(cfg_path or "defaults"))
    return Settings(values=values, base_dir=base_dir, source=cfg_path)


def _merge(target: dict, user: dict, where: str, check: bool = True, prefix: tuple = ()) -> None:
    for key, value in user.items():
        here = prefix + (key,)
        if check and prefix not in _OPEN_SECTIONS and not _is_open(here) and key not in target:
            allowed = ", ".join(sorted(target)) or "(none)"
            raise ConfigError(f"{where}: unknown key [{'.'.join(here)}]; allowed here: {allowed}")
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value, where, check, here)
        else:
            if check and key in target and not _same_kind(target[key], value):
                raise ConfigError(
                    f"{where}: [{'.'.join(prefix)}] {key} = {value!r} should be "
                    f"{type(target[key]).__name__} like the default {target[key]!r}"
                )
            if (isinstance(target.get(key), int) and not isinstance(target[key], bool)
                    and isinstance(value, float) and value.is_integer()):
                value = int(value)
            target[key] = value


def _is_open(key_path: tuple) -> bool:
    return any(key_path[: len(p)] == p and len(key_path) > len(p) for p in _OPEN_SECTIONS)


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, int):
        # counts, limits, metres: 1.5 results per page is a typo, 1500.0 metres is not
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(default, float):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


def _check_values(values: dict, where: str) -> None:
    bbox = values["area"]["bbox"]
    if len(bbox) != 4 or not all(isinstance(v, (int, float)) for v in bbox):
        raise ConfigError(f"{where}: [area] bbox must be [lon_min, lat_min, lon_max, lat_max], got {bbox!r}")
    lon_min, lat_min, lon_max, lat_max = bbox
    if not (-180 <= lon_min < lon_max <= 180 and -90 <= lat_min < lat_max <= 90):
        raise ConfigError(
            f"{where}: [area] bbox {bbox!r} is not lon_min < lon_max, lat_min < lat_max in degrees"
        )
    if values["planning"]["decay"] not in ("step", "gaussian"):
        raise ConfigError(f"{where}: [planning] decay must be \"step\" or \"gaussian\", got {values['planning']['decay']!r}")
    if values["embed"]["link_target"] not in ("_blank", "_self"):
        raise ConfigError(f"{where}: [embed] link_target must be \"_blank\" or \"_self\"")
    if not values["store"]["path"]:
        raise ConfigError(f"{where}: [store] path must name the GeoPackage file, e.g. \"angebotskarte.gpkg\"")
    _check_timezone(values["area"]["timezone"], where)
    for group, codes in values["planning"]["origin_languages"].items():
        if not (isinstance(codes, list) and all(isinstance(c, str) for c in codes)):
            raise ConfigError(f"{where}: [planning.origin_languages] {group} = {codes!r} should be a list of "
                              "language codes, e.g. [\"ar\", \"kmr\"]")
    for kind in ("categories", "target_groups"):
        for key, spec in values["vocabulary"][kind].items():
            _check_term(kind, key, spec, where)
    _check_import_columns(values["import"]["columns"], where)


def _check_import_columns(columns: dict, where: str) -> None:
    """[import.columns]: header = "field"; which fields exist the offer reader checks (it names them)."""
    for header, target in columns.items():
        if not isinstance(target, str) or not target.strip():
            raise ConfigError(f"{where}: [import.columns] {header!r} = {target!r} should be the name of a field, "
                              "e.g. \"name\" or \"capacity\"")


def _check_timezone(name: str, where: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: [area] timezone {name!r} is not an IANA time zone such as \"Europe/Berlin\"") from None


def _check_term(kind: str, key: str, spec: Any, where: str) -> None:
    """A [vocabulary.KIND.KEY] table: optional de, en, color/colour (text), aliases (list of text),
    icon (a symbol name such as "meeting_place") and labels (a table of language code -> text)."""
    here = f"[vocabulary.{kind}.{key}]"
    if not isinstance(spec, dict):
        raise ConfigError(f"{where}: {here} must be a table with de, en, aliases, color, icon, labels; got {spec!r}")
    for name, value in spec.items():
        if name in ("de", "en", "color", "colour"):
            ok, want = isinstance(value, str), "text"
        elif name == "aliases":
            ok, want = isinstance(value, list) and all(isinstance(a, str) for a in value), "a list of words"
        elif name == "icon":
            ok, want = isinstance(value, str) and re.fullmatch(r"[a-z0-9_-]{1,40}", value) is not None, \
                "a symbol name of lower-case letters, digits, - and _ (e.g. \"meeting_place\")"
        elif name == "labels":
            ok = isinstance(value, dict) and all(
                isinstance(lang, str) and re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)?", lang) and isinstance(text, str)
                for lang, text in value.items())
            want = "a table of language codes and labels, e.g. { ar = \"...\", uk = \"...\" }"
        else:
            raise ConfigError(f"{where}: unknown key {name!r} in {here}; allowed: de, en, aliases, color, icon, labels")
        if not ok:
            raise ConfigError(f"{where}: {here} {name} = {value!r} should be {want}")
