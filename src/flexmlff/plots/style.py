"""The look, labels and colours every figure shares, and how a figure is saved (PDF and PNG,
atomically)."""

from __future__ import annotations

import itertools
from pathlib import Path

import matplotlib
import matplotlib.colors
import matplotlib.pyplot as plt
import matplotlib.ticker
import seaborn as sns

from flexmlff.models import families
from flexmlff.scratch import atomic_output

ENERGY_LABEL = r"$\Delta E$ (kcal mol$^{-1}$)"


def model_label(model: str) -> str:
    """A family's name in figures and tables (its :attr:`~flexmlff.models.Family.label`)."""
    known = families()
    return known[model].label if model in known else model


def line_colours(names, palette=None) -> list:
    """A colour per line: a family's own colour where the line is a family (by name or
    label), the next colour of `palette` (seaborn's colorblind) otherwise."""
    own = {key: family.colour for family in families().values() for key in (family.name, family.label)}
    taken = {matplotlib.colors.to_hex(colour) for colour in own.values()}
    palette = palette or sns.color_palette("colorblind")
    free = [colour for colour in palette if matplotlib.colors.to_hex(colour) not in taken] or list(palette)
    spare = itertools.cycle(free)
    return [own[name] if name in own else next(spare) for name in names]


def apply_style():
    """The paper-like look every figure is drawn in."""
    sns.set_theme(context="paper", style="ticks", font_scale=1.2)


def save_figure(fig, paths) -> None:
    """Save `fig` to every path given (format from the suffix) and close it."""
    for path in [paths] if isinstance(paths, (str, Path)) else paths:
        with atomic_output(path) as partial:
            fig.savefig(partial, dpi=200, bbox_inches="tight")
    plt.close(fig)


COORDINATE_SYMBOLS = {
    "phi": r"$\phi$",
    "theta": r"$\theta$",
    "theta_prime": r"$\theta'$",
    "tau1": r"$\tau_1$",
    "tau2": r"$\tau_2$",
    "psi": r"$\psi$",
}
