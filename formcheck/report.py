"""The analysis report: one JSON-ready structure, plus the per-frame CSV.

``Report`` is what the CLI writes (``--json``, ``--csv``) and what the page
renders. Its JSON layout (``Report.to_dict``) is documented in the README:

    {"formcheck_version", "drill", "options",
     "video": {"fps", "frames", "duration_s", "width", "height", "source"},
     "quality": {"pose_detected_fraction", "view", "facing", "near_side",
                 "trusted", "warnings": [{"code", "severity", "message"}]},
     "calibration": {"method", "cm_per_px", "uncertainty_pct", "detail"},
     "summary": {...}, "flags": {metric: reason}, "events": [{"kind", ...}],
     "cues": [{"time_s", "severity", "message"}], "norms": [...], "score"}
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from formcheck.errors import FormcheckError

if TYPE_CHECKING:  # annotations only: report I/O works without the measuring layer
    from formcheck.drills.base import Cue, NormComparison
    from formcheck.views import QualityIssue

REPORT_KEYS = (
    "formcheck_version",
    "drill",
    "video",
    "quality",
    "calibration",
    "summary",
    "events",
    "cues",
    "score",
)
"""Keys every report JSON has (others may be added)."""


@dataclass
class Report:
    """Everything one analysis produced.

    Attributes:
        formcheck_version: version that made the report.
        drill: drill name.
        options: the user's options as given (height, leg, variant, overrides).
        video: fps, frames, duration_s, width, height, source.
        quality: pose_detected_fraction, view, facing, near_side, trusted.
        warnings: framing, view and drill problems, each with the sentence a
            user needs.
        calibration: method, cm_per_px, uncertainty_pct, detail.
        summary: the drill's headline numbers.
        flags: metric -> why it is less reliable.
        events: reps / holds / lunges.
        cues: plain-language advice tied to times.
        norms: comparisons with published norms.
        score: 0-100 or None.
        times_s: (T,) frame times, seconds, for the per-frame table.
        series: per-frame signals (T,) by column name, for CSV and plots.
        overlay: series names to print on annotated frames (see DrillResult).
    """

    formcheck_version: str
    drill: str
    options: dict[str, Any]
    video: dict[str, Any]
    quality: dict[str, Any]
    warnings: list[QualityIssue]
    calibration: dict[str, Any]
    summary: dict[str, Any]
    flags: dict[str, str]
    events: list[dict[str, Any]]
    cues: list[Cue]
    norms: list[NormComparison]
    score: float | None
    times_s: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    series: dict[str, npt.NDArray[np.float64]] = field(default_factory=dict)
    overlay: tuple[str, ...] = ()

    @property
    def trusted(self) -> bool:
        """False when a warning or error makes the numbers doubtful."""
        return bool(self.quality.get("trusted", False))

    def to_dict(self) -> dict[str, Any]:
        """The JSON layout (plain Python types; NaN becomes None)."""
        quality = dict(self.quality)
        quality["warnings"] = [asdict(w) for w in self.warnings]
        out = {
            "formcheck_version": self.formcheck_version,
            "drill": self.drill,
            "options": self.options,
            "video": self.video,
            "quality": quality,
            "calibration": self.calibration,
            "summary": self.summary,
            "flags": self.flags,
            "events": self.events,
            "cues": [asdict(c) for c in self.cues],
            "norms": [asdict(n) for n in self.norms],
            "score": self.score,
        }
        cleaned: dict[str, Any] = _jsonable(out)
        return cleaned

    def to_json(self) -> str:
        """The report as indented JSON text (strict: no NaN literals)."""
        return json.dumps(self.to_dict(), indent=2, allow_nan=False)

    def frames_csv(self) -> str:
        """Per-frame table: frame, time_s, then one column per series (blank = NaN)."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        names = sorted(self.series)
        writer.writerow(["frame", "time_s", *names])
        for i, t in enumerate(self.times_s):
            row: list[str] = [str(i), f"{t:.4f}"]
            for name in names:
                v = float(self.series[name][i])
                row.append("" if math.isnan(v) else f"{v:.4f}")
            writer.writerow(row)
        return buf.getvalue()


def _jsonable(value: Any) -> Any:
    """Convert numpy scalars/arrays and NaN/inf to JSON-safe Python values."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return None if not math.isfinite(f) else round(f, 4)
    return value


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` to a temp file beside ``path`` and rename it into place."""
    out = Path(path)
    # a short temporary name: ``out.name + ".partial"`` breaks names near the 255-byte limit
    fd, name = tempfile.mkstemp(prefix=".formcheck-", suffix=".partial", dir=out.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)  # left only if writing failed
    return out


MAX_REPORT_BYTES = 20 * 1024 * 1024


def read_report_json(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a report JSON written by formcheck, checking its shape.

    Raises:
        FormcheckError: not JSON, not an object, missing keys, or too large;
            the message names the file and the problem.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise FormcheckError(f"cannot read report {p}: {exc.strerror or exc}") from exc
    if size > MAX_REPORT_BYTES:
        raise FormcheckError(
            f"{p} is {size / 1e6:.0f} MB; a formcheck report is far smaller, so this is not one"
        )
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise FormcheckError(f"{p} is not a text file, so not a formcheck report") from exc
    except json.JSONDecodeError as exc:
        raise FormcheckError(f"{p} is not valid JSON (line {exc.lineno}): {exc.msg}") from exc
    except (ValueError, RecursionError) as exc:  # a number too long, nesting too deep
        raise FormcheckError(f"{p} is not a formcheck report ({_short(exc)})") from exc
    except OSError as exc:  # a folder, or unreadable
        raise FormcheckError(f"cannot read report {p}: {exc.strerror or exc}") from exc
    return validate_report_dict(data, str(p))


def _short(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:120] if text else type(exc).__name__


def validate_report_dict(data: Any, source: str = "report") -> dict[str, Any]:
    """Check that ``data`` has the report layout; return it unchanged."""
    if not isinstance(data, dict):
        raise FormcheckError(f"{source}: a report must be a JSON object, got {type(data).__name__}")
    missing = [k for k in REPORT_KEYS if k not in data]
    if missing:
        raise FormcheckError(f"{source}: not a formcheck report, missing {missing}")
    for key in ("video", "quality", "calibration", "summary"):
        if not isinstance(data[key], dict):
            raise FormcheckError(f"{source}: {key!r} must be an object")
    for key in ("events", "cues"):
        if not isinstance(data[key], list):
            raise FormcheckError(f"{source}: {key!r} must be a list")
    if not isinstance(data["drill"], str):
        raise FormcheckError(f"{source}: 'drill' must be text")
    score = data["score"]
    if score is not None and (isinstance(score, bool) or not isinstance(score, int | float)):
        raise FormcheckError(f"{source}: 'score' must be a number or null")
    return data
