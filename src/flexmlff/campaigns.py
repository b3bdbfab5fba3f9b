"""MD campaigns: named sets of runs with one protocol and several starting points.

A campaign (paper Sec. II.B.2) is e.g. "300 K from each minimum" or "100 K from
every intermediate frame of the rotation path". Its ``starts`` are strings:

``<minimum>``
    the relaxed minimum of that name (``cis``);
``<path>``
    every intermediate frame of that path (``rotation``: frames 1 … n_images);
``<path>:<frame>``
    one frame of a path (``inversion:7``; frame 0 is the start minimum).

A start may appear more than once (four 750 K runs from two minima): each run
gets its own name and seed.
"""

from __future__ import annotations

from typing import NamedTuple


class MDStart(NamedTuple):
    """Where one run of a campaign starts, and its name and seed.

    A tuple, so that Snakemake records it as a rule parameter (a changed start reruns the run)."""

    run: str  # e.g. "00_cis", "07_rotation_f08"
    source: str  # a minimum or a path name
    frame: int | None  # frame of the path; None for a minimum
    seed: int


def expand_starts(starts: list[str], minima: list[str], path_frames: dict[str, int], seed: int) -> list[MDStart]:
    """The runs of a campaign, numbered in order, seeds ``seed``, ``seed + 1``, ….

    `path_frames` gives the number of frames (end points included) of every
    path a start may name. Raises ValueError naming an unknown start.
    """
    points: list[tuple[str, int | None]] = []
    for start in starts:
        name, _, frame = start.partition(":")
        if name in minima and not frame:
            points.append((name, None))
        elif name in path_frames and not frame:
            points += [(name, i) for i in range(1, path_frames[name] - 1)]
        elif name in path_frames:
            if not frame.isdigit() or not 0 <= int(frame) < path_frames[name]:
                raise ValueError(f"start {start!r}: path {name!r} has frames 0…{path_frames[name] - 1}")
            points.append((name, int(frame)))
        else:
            known = ", ".join([*minima, *path_frames]) or "none"
            raise ValueError(f"start {start!r} names no minimum or path (known: {known})")
    width = max(2, len(str(len(points) - 1)))
    return [
        MDStart(
            run=f"{i:0{width}d}_{name}" + ("" if frame is None else f"_f{frame:02d}"),
            source=name,
            frame=frame,
            seed=seed + i,
        )
        for i, (name, frame) in enumerate(points)
    ]
