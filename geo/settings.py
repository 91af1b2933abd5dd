"""The deployment's TOML configuration, read once and passed down explicitly.

The defaults live in ``geo/defaults.toml``; that same commented file is what
``angebotskarte init`` writes as a starter config, so the documentation of the
defaults and the defaults themselves cannot drift apart.

The merged values are read once into typed, frozen pydantic models, one per
section (``settings.api.max_limit``, ``settings.area.timezone`` ...). The models
declare types and allowed values but no defaults of their own: every key must
come from defaults.toml (a key missing there fails when the models are built),
so there is exactly one place that says what a default is.
"""

from __future__ import annotations

import copy
import os
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

ENV_VAR = "ANGEBOTSKARTE_CONFIG"
DEFAULT_FILENAME = "angebotskarte.toml"

# Sections whose keys are free (a town adds its own names), so unknown keys are fine there.
_OPEN_SECTIONS = {("planning", "origin_languages"), ("vocabulary", "categories"), ("vocabulary", "target_groups"),
                  ("import", "columns")}


class ConfigError(Exception):
    """A configuration file is missing, unreadable or holds a wrong key or value."""


# --------------------------------------------------------------------------- typed sections


class _Section(BaseModel):
    """One [section]: frozen, no unknown keys, no defaults (those come from defaults.toml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class AreaSettings(_Section):
    name: str
    bbox: tuple[float, float, float, float]
    timezone: str
    metric_crs: str

    @field_validator("bbox", mode="before")
    @classmethod
    def _bbox(cls, value: Any) -> Any:
        if not isinstance(value, (list, tuple)) or len(value) != 4 or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            raise ValueError(f"[area] bbox must be [lon_min, lat_min, lon_max, lat_max], got {value!r}")
        lon_min, lat_min, lon_max, lat_max = value
        if not (-180 <= lon_min < lon_max <= 180 and -90 <= lat_min < lat_max <= 90):
            raise ValueError(f"[area] bbox {list(value)!r} is not lon_min < lon_max, lat_min < lat_max in degrees")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"[area] timezone {value!r} is not an IANA time zone such as \"Europe/Berlin\"") from None
        return value


class StoreSettings(_Section):
    path: str
    url: str
    busy_timeout_seconds: float

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value:
            raise ValueError("[store] path must name the GeoPackage file, e.g. \"angebotskarte.gpkg\"")
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
            raise ValueError("[store] url must be a PostgreSQL address such as "
                             "\"postgresql://user@host:5432/dbname\" (or empty for the GeoPackage file)")
        return value

    @field_validator("busy_timeout_seconds")
    @classmethod
    def _timeout(cls, value: float) -> float:
        if not 0 < value <= 3600:
            raise ValueError("[store] busy_timeout_seconds must be more than 0 and at most 3600")
        return value


class ServerSettings(_Section):
    # Ranges are checked where the options meet the command line (webmap.server.LIMITS).
    host: str
    port: int
    threads: int
    connection_limit: int
    channel_timeout: int


class ImportSettings(_Section):
    crs: str
    # Checked in _check_import_columns (its messages name the header).
    columns: dict[str, str]


class DistrictsSettings(_Section):
    path: str
    name_field: str
    id_field: str


class PopulationSettings(_Section):
    path: str
    district_field: str
    total_field: str
    grid: str


class GeocodingSettings(_Section):
    providers: tuple[str, ...]
    nominatim_url: str
    photon_url: str
    user_agent: str
    min_delay_seconds: float
    timeout_seconds: float
    max_retries: int
    gazetteer: str
    cache_path: str
    cache_max_age_days: int
    search_rate_per_minute: int


class MapSettings(_Section):
    tile_url: str
    tile_attribution: str
    detour_factor: float
    walk_speed_kmh: float
    verification_max_age_days: int
    data_owner_email: str
    demo: bool


class UiSettings(_Section):
    languages: tuple[str, ...]
    default_language: str


class ApiSettings(_Section):
    default_limit: int
    max_limit: int
    max_radius_m: float
    cache_max_age_seconds: int
    cors_origins: tuple[str, ...]
    max_cluster_cells: int
    max_planning_offers: int


class EmbedSettings(_Section):
    allowed_origins: tuple[str, ...]
    link_target: Literal["_blank", "_self"]


class PlanningSettings(_Section):
    catchment_m: float
    e2sfca_catchment_m: float
    decay: Literal["step", "gaussian"]
    foreign_field: str
    supply_weight_field: str
    spread_spacing_m: float
    gap_min_residents: float
    gap_access_ratio: float
    origin_languages: dict[str, tuple[str, ...]]


class VocabularySettings(_Section):
    # Checked term by term in _check_term (its messages name the table and the key).
    categories: dict[str, dict[str, Any]]
    target_groups: dict[str, dict[str, Any]]


class SiteSettings(_Section):
    base_url: str
    trusted_proxies: int
    max_request_bytes: int

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        from urllib.parse import urlsplit

        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"[site] base_url {value!r} must be an http(s) address such as "
                             "\"https://karte.example.de\" (a path is allowed, no query)")
        return value.rstrip("/")

    @field_validator("trusted_proxies", "max_request_bytes")
    @classmethod
    def _not_negative(cls, value: int) -> int:
        if value < 0:
            raise ValueError("must not be negative")
        return value


class DeploymentSettings(_Section):
    """Every section, typed."""

    area: AreaSettings
    store: StoreSettings
    server: ServerSettings
    districts: DistrictsSettings
    population: PopulationSettings
    geocoding: GeocodingSettings
    map: MapSettings
    ui: UiSettings
    api: ApiSettings
    embed: EmbedSettings
    planning: PlanningSettings
    vocabulary: VocabularySettings
    site: SiteSettings
    import_: ImportSettings = Field(alias="import")  # "import" is a Python keyword


def typed_settings(values: dict[str, Any], where: str) -> DeploymentSettings:
    """``values`` (defaults merged with a file) as typed models; ConfigError naming ``where`` and the key."""
    try:
        return DeploymentSettings.model_validate(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = [str(part) for part in error["loc"]]
        message = str(error.get("ctx", {}).get("error") or error["msg"])
        if message.startswith("["):  # our validators name section and key themselves
            raise ConfigError(f"{where}: {message}") from None
        section, key = ".".join(loc[:1]), " ".join(loc[1:])
        raise ConfigError(f"{where}: [{section}] {key} = {error.get('input')!r}: {message}") from None


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
    typed: DeploymentSettings = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.typed = typed_settings(self.values, str(self.source or "settings"))

    def __getattr__(self, name: str) -> Any:
        """The typed sections: ``settings.api.max_limit``, ``settings.area.bbox`` ... (see DeploymentSettings)."""
        if name in DeploymentSettings.model_fields and "typed" in self.__dict__:
            return getattr(self.typed, name)
        raise AttributeError(f"{type(self).__name__!r} has no attribute {name!r}")

    def __getitem__(self, section: str) -> dict[str, Any]:
        return self.values[section]

    def path(self, section: str, key: str) -> Path | None:
        """An absolute path for a path-valued key, or None when it is empty."""
        raw = self.values.get(section, {}).get(key, "")
        if not raw:
            return None
        p = Path(os.path.expanduser(str(raw)))
        return p if p.is_absolute() else (self.base_dir / p).resolve()

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.typed.area.bbox

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
    return Settings(values=values, base_dir=base_dir, source=cfg_path)  # typed (and checked) here


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
    """The free tables of a town's own words (the typed models check the rest, in Settings)."""
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
