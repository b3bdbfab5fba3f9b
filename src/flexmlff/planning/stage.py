"""What every stage planner shares: the validated config, the run's :class:`Layout`, and the
one-line check that a name points at a known entry."""

from __future__ import annotations

from flexmlff.config_error import ConfigError
from flexmlff.layout import Layout


class Stage:
    """One stage's planner: its lookups on the config, the paths of its files and the
    cross-reference checks of its keys (:meth:`checks`, run by :meth:`flexmlff.planning.Plan.check`)."""

    def __init__(self, config: dict, layout: Layout):
        self.config = config
        self.layout = layout

    def checks(self) -> list[tuple]:
        """The stage's checks, as ``(function, *arguments)`` units each run on its own, so that
        one problem does not hide the next."""
        return []

    def targets(self) -> list[str]:
        """The files a plain ``snakemake`` makes for this stage."""
        return []


def known(key: str, name, names, what: str) -> None:
    """`name` must be one of `names`; a :class:`ConfigError` on `key` lists them otherwise."""
    if name not in names:
        raise ConfigError(key, f"unknown {what} {name!r} (known: {', '.join(names) or 'none'})")


def figure_list(figures: dict, key: str, field: str) -> list:
    """`figures.<key>.<field>`: none where the figure is off or the (optional) field unset."""
    settings = figures.get(key)
    return (settings.get(field) or []) if settings else []
