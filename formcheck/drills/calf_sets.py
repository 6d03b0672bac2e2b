"""Calf raise: several sets in one clip.

Issue 4 seeds the drill with "3 sets of 12-15 reps", and a runner filming
their calf raises films the whole session, resting between sets. Read as one
set, such a clip was silently wrong: a synthetic clip of 3 sets of 8 reps,
each set fading 25% and the last set 15% lower than the first, read "24 good
reps: steady height and tempo" with a 14% fall "over the set" (the rest
restores the height, so the thirds compared mostly the first set with the
last), and the heel-rise test counted a rest as a rep off the beat.

A new set starts where the runner rests or changes legs:

- a rest: idle time between two reps (their tops' gap less a typical rep's
  duration) of at least ``set_rest_min_s`` and ``set_rest_periods`` times
  the clip's median rep period (top to top), so one or two reps missed
  inside a set (hidden heels, a rejected wobble) do not split it, nor does
  a slow tempo;
- a change of legs: single-leg reps on one leg, then at least
  ``set_min_leg_reps`` on the other, each leg's run that long (alternating
  single-leg reps, left, right, left, are one set).

Reps here are every rep found, complete or partial: a partial rep at the end
of a set to fatigue belongs to that set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

SINGLE_LEGS = frozenset({"left", "right"})
"""Rep legs that are single-leg reps (the rest: "both")."""

DIFFERENT_VIEWS = (
    "the first and the last reps were filmed from different angles, so their heights "
    "cannot be compared"
)
"""Why a fall in height is not given when the camera angle changed in between."""


@dataclass(frozen=True)
class SetRep:
    """One rep as the sets see it.

    Attributes:
        start_s, peak_s, end_s: when it happened, s (start/end None: cut by
            the clip's edge).
        leg: "left", "right" or "both" (the measured legs).
        heel_rise_cm: its heel rise, cm.
        partial: a partial rep (not counted, nor in heights).
        view: the heel-rise factor it was measured with (``rise_scale`` at its
            top): reps whose factors differ were filmed from different angles.
    """

    start_s: float | None
    peak_s: float
    end_s: float | None
    leg: str
    heel_rise_cm: float = float("nan")
    partial: bool = False
    view: float = 1.0


@dataclass(frozen=True)
class CalfSet:
    """One set: its reps (time order) and the rest before it."""

    number: int
    reps: tuple[SetRep, ...]
    rest_before_s: float | None

    @property
    def complete(self) -> list[SetRep]:
        """The set's complete reps."""
        return [r for r in self.reps if not r.partial]

    @property
    def leg(self) -> str | None:
        """The leg of at least two thirds of its reps; None without one (alternating legs).

        Not all of them: a double-leg set has the odd rep read on one leg only.
        """
        legs = [r.leg for r in self.reps]
        top = max(set(legs), key=legs.count)
        return top if 3 * legs.count(top) >= 2 * len(legs) else None

    def on_leg(self, leg: str) -> CalfSet:
        """The set's reps on ``leg`` only."""
        return CalfSet(self.number, tuple(r for r in self.reps if r.leg == leg), self.rest_before_s)

    def mean_rise_cm(self) -> float | None:
        """Mean heel rise of its complete reps, cm (None without one)."""
        rises = [r.heel_rise_cm for r in self.complete]
        return float(np.mean(rises)) if rises else None


def fatigue_pct(rises_cm: list[float], min_reps: int) -> float | None:
    """How much the heel rise fell over a set, in % (positive = heights fell).

    ``100 * (first - last) / first`` where ``first`` and ``last`` are the mean
    rises of the first and the last third of the reps (issue 4: "height of
    the last third vs the first third"): 25 means the last reps rose 25% less
    than the first ones, a negative value that they rose more. A ratio of
    heights, so it does not depend on the cm scale. None with fewer than
    ``min_reps`` reps.
    """
    n = len(rises_cm)
    if n < max(3, min_reps):
        return None
    k = n // 3
    first = float(np.mean(rises_cm[:k]))
    last = float(np.mean(rises_cm[-k:]))
    return 100.0 * (first - last) / first if first > 0 else None


def set_fatigue(s: CalfSet, min_reps: int) -> tuple[float | None, str | None]:
    """``fatigue_pct`` over the set's complete reps, and why it is None when not obvious.

    None, with ``DIFFERENT_VIEWS``, when its first and last thirds were
    measured with different heel-rise factors (the camera angle changed).
    """
    complete = s.complete
    fat = fatigue_pct([r.heel_rise_cm for r in complete], min_reps)
    if fat is None:
        return None, None
    third = len(complete) // 3
    if {r.view for r in complete[:third]} != {r.view for r in complete[-third:]}:
        return None, DIFFERENT_VIEWS
    return fat, None


def sets_fatigue(sets: Sequence[CalfSet], min_reps: int) -> tuple[float | None, str | None]:
    """Fatigue of a clip's sets, %: the set's own, or the mean of several sets' own.

    Heights recover in a rest, so a fall is measured within each set (thirds
    of one set's reps), never across sets (``height_change_over_sets_pct``).
    Returns (value, note): the note says what a value of several sets is,
    or why there is none.
    """
    if len(sets) == 1:
        return set_fatigue(sets[0], min_reps)
    falls = {s.number: v for s in sets if (v := set_fatigue(s, min_reps)[0]) is not None}
    if not falls:
        return None, (
            f"measured within each set, and no set had the {min_reps} complete reps it takes"
        )
    shown = ", ".join(f"set {k}: {v:.0f}%" for k, v in falls.items())
    return float(np.mean(list(falls.values()))), (
        f"the mean of {len(falls)} sets' own falls ({shown}); heights recover in a rest, "
        "so each set is measured on its own"
    )


def height_change_over_sets_pct(sets: Sequence[CalfSet]) -> float | None:
    """How much lower the last set's mean rise was than the first set's, % (None: < 2 sets).

    Positive = the last set rose less. None when either set has no complete
    rep, or the two were measured from different angles (heel-rise factors).
    """
    if len(sets) < 2:
        return None
    first, last = sets[0], sets[-1]
    a, b = first.mean_rise_cm(), last.mean_rise_cm()
    if a is None or b is None or a <= 0:
        return None
    if {r.view for r in first.complete} != {r.view for r in last.complete}:
        return None
    return 100.0 * (a - b) / a


def rest_threshold_s(peaks_s: Sequence[float], rest_min_s: float, rest_periods: float) -> float:
    """Shortest idle time between two reps that is a rest between sets, s.

    ``max(rest_min_s, rest_periods * median period)``, the period being the
    median peak-to-peak time of consecutive reps (most pairs are within a
    set, so the median is the set's tempo); ``rest_min_s`` with fewer than
    two reps.
    """
    periods = np.diff(np.sort(np.asarray(peaks_s, dtype=np.float64)))
    if periods.size == 0:
        return rest_min_s
    return max(rest_min_s, rest_periods * float(np.median(periods)))


def typical_rep_s(reps: Sequence[SetRep]) -> float:
    """Median duration (start to end) of the reps not cut by the clip's edge, s (0: none)."""
    durations = [r.end_s - r.start_s for r in reps if r.start_s is not None and r.end_s is not None]
    return float(np.median(durations)) if durations else 0.0


def _idle_s(a: SetRep, b: SetRep, rep_s: float) -> float:
    """Idle time from rep ``a`` to rep ``b``, s: their peaks' gap less a typical rep's ``rep_s``.

    Not ``b.start_s - a.end_s``: a rep's edges are where its heel trace
    crosses a tenth of its rise, and in a long rest the standing heel's
    noise and drift can hold the trace near that level for seconds (a
    synthetic set's last rep "ended" 13 s after its top, the next set's
    first rep "started" 10 s before its own), while the peaks stay put.
    """
    return b.peak_s - a.peak_s - rep_s


def _leg_changes(legs: Sequence[str], min_run: int) -> set[int]:
    """Indices ``i`` where rep ``i`` starts a run on the other leg (see module docstring).

    Runs are maximal stretches of consecutive reps on one leg; a change
    counts when both runs either side of it are single-leg runs of at least
    ``min_run`` reps.
    """
    runs: list[tuple[int, int, str]] = []  # (first index, length, leg)
    for i, leg in enumerate(legs):
        if runs and runs[-1][2] == leg:
            first, length, _ = runs[-1]
            runs[-1] = (first, length + 1, leg)
        else:
            runs.append((i, 1, leg))
    return {
        b[0]
        for a, b in pairwise(runs)
        if {a[2], b[2]} == SINGLE_LEGS and min(a[1], b[1]) >= min_run
    }


def set_numbers(
    reps: Sequence[SetRep],
    *,
    rest_min_s: float,
    rest_periods: float,
    min_leg_reps: int,
) -> list[int]:
    """The set (1-based) of each rep; ``reps`` in time order.

    Args:
        reps: every rep found (complete and partial), by peak time.
        rest_min_s: shortest rest between sets, s (``set_rest_min_s``).
        rest_periods: shortest rest in median rep periods (``set_rest_periods``).
        min_leg_reps: fewest reps on each leg for a change of legs to start a
            set (``set_min_leg_reps``).
    """
    if any(b.peak_s < a.peak_s for a, b in pairwise(reps)):
        raise ValueError("reps must be in time order (by peak_s)")
    rest = rest_threshold_s([r.peak_s for r in reps], rest_min_s, rest_periods)
    changes = _leg_changes([r.leg for r in reps], min_leg_reps)
    rep_s = typical_rep_s(reps)
    out: list[int] = []
    current = 1
    for i, r in enumerate(reps):
        if i > 0 and (i in changes or _idle_s(reps[i - 1], r, rep_s) >= rest):
            current += 1
        out.append(current)
    return out


def group_sets(reps: Sequence[SetRep], numbers: Sequence[int]) -> list[CalfSet]:
    """The sets of ``reps`` (time order) numbered ``numbers`` (``set_numbers``).

    A set's ``rest_before_s`` is the idle time since the last set's last
    rep (``_idle_s``).
    """
    out: list[CalfSet] = []
    rep_s = typical_rep_s(reps)
    for i, (r, k) in enumerate(zip(reps, numbers, strict=True)):
        if out and out[-1].number == k:
            out[-1] = CalfSet(k, (*out[-1].reps, r), out[-1].rest_before_s)
        else:
            rest = max(0.0, _idle_s(reps[i - 1], r, rep_s)) if i > 0 else None
            out.append(CalfSet(k, (r,), rest))
    return out


def set_event(s: CalfSet, min_reps: int, rep_s: float, nd: int = 2) -> dict[str, Any]:
    """The report event of one set (``kind`` "set"), times and heights rounded to ``nd``.

    It starts at its first rep's start and ends at its last rep's end, each
    at most a typical rep's duration (``rep_s``, s) from that rep's top (an
    edge can wander in a rest; see ``_idle_s``); a cut edge: the rep's top.
    """
    first, last = s.reps[0], s.reps[-1]
    start = first.peak_s if first.start_s is None else max(first.start_s, first.peak_s - rep_s)
    end = last.peak_s if last.end_s is None else min(last.end_s, last.peak_s + rep_s)
    fat, why = set_fatigue(s, min_reps)
    mean = s.mean_rise_cm()
    event: dict[str, Any] = {
        "kind": "set",
        "index": s.number,
        "leg": s.leg,
        "start_s": round(start, nd),
        "end_s": round(end, nd),
        "reps": len(s.complete),
        "partial_reps": len(s.reps) - len(s.complete),
        "mean_heel_rise_cm": None if mean is None else round(mean, nd),
        "fatigue_pct": None if fat is None else round(fat, 1),
        "rest_before_s": None if s.rest_before_s is None else round(s.rest_before_s, 1),
        "flags": {"fatigue_pct": why} if why else {},
    }
    return event
