"""Settings: packaged defaults overlaid by a user file, validated once, never mutated.

>>> s = load_settings()
>>> s.dedup.threshold
0.5
>>> s2 = s.with_overrides({"store": {"url": "sqlite:///x.db"}})
>>> s2.store.url, s.store.url
('sqlite:///x.db', 'sqlite:///warta.db')
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .errors import ConfigError


class Section:
    """A read-only settings section with attribute access."""

    __slots__ = ("_name", "_values")

    def __init__(self, name: str, values: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_values", MappingProxyType(dict(values)))

    def __getattr__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(f"settings section [{self._name}] has no key {key!r}") from None

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("settings are read-only; use Settings.with_overrides")

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def __repr__(self) -> str:
        return f"Section({self._name!r}, {dict(self._values)!r})"


class Settings:
    """All of warta's settings, one :class:`Section` per TOML table."""

    def __init__(self, data: Mapping[str, Mapping[str, Any]]) -> None:
        self._data = {k: dict(v) for k, v in data.items()}
        self._sections = {k: Section(k, v) for k, v in self._data.items()}

    def __getattr__(self, name: str) -> Section:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._sections[name]
        except KeyError:
            raise AttributeError(f"no settings section [{name}]") from None

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return {k: dict(v) for k, v in self._data.items()}

    def with_overrides(self, overrides: Mapping[str, Mapping[str, Any]]) -> Settings:
        """A new Settings with ``overrides`` validated and applied."""
        return Settings(_overlay(self._data, overrides, origin="overrides"))


def _defaults() -> dict[str, dict[str, Any]]:
    text = resources.files("warta").joinpath("defaults.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _same_type(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


def _overlay(
    base: Mapping[str, Mapping[str, Any]], user: Mapping[str, Any], *, origin: str
) -> dict[str, dict[str, Any]]:
    merged = {k: dict(v) for k, v in base.items()}
    for section, values in user.items():
        if section not in merged:
            raise ConfigError(f"{origin}: unknown settings section [{section}]")
        if not isinstance(values, Mapping):
            raise ConfigError(f"{origin}: [{section}] must be a table")
        for key, value in values.items():
            if key not in merged[section]:
                raise ConfigError(f"{origin}: unknown setting {section}.{key}")
            default = merged[section][key]
            if not _same_type(default, value):
                raise ConfigError(
                    f"{origin}: {section}.{key} must be {type(default).__name__}, got {type(value).__name__}"
                )
            merged[section][key] = float(value) if isinstance(default, float) else value
    return merged


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """Packaged defaults, overlaid by ``path`` (or ``$WARTA_CONFIG``) if given."""
    data = _defaults()
    path = path or os.environ.get("WARTA_CONFIG")
    if path:
        p = Path(path)
        try:
            user = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"settings file not found: {p}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"settings file {p} is not valid TOML: {exc}") from None
        data = _overlay(data, user, origin=str(p))
    return Settings(data)
