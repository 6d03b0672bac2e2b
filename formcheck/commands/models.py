"""``formcheck models fetch|list``: install and inspect pose model bundles."""

from __future__ import annotations

import argparse
from typing import Any

from formcheck.models import ENV_VAR, VARIANTS, fetch_model, list_models


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``models`` subcommand with ``fetch`` and ``list``."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "models",
        help="fetch or list pose models",
        description="Install (fetch) or list the MediaPipe pose model bundles formcheck uses.",
    )
    actions = p.add_subparsers(dest="models_action", metavar="ACTION", required=True)
    fetch = actions.add_parser(
        "fetch",
        help="download a pose model (official site, else built from the PyPI mediapipe wheel)",
    )
    fetch.add_argument("--variant", choices=VARIANTS, default="full", help="model variant")
    fetch.add_argument(
        "--from-wheel",
        action="store_true",
        help="skip the official site: build the full model from the mediapipe 0.10.21 wheel on PyPI",
    )
    fetch.add_argument("--force", action="store_true", help="fetch even if a model is installed")
    actions.add_parser("list", help="show installed models, where they are and their size")
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``fetch`` or ``list``; returns the exit status."""
    if args.models_action == "fetch":
        fetch_model(args.variant, from_wheel=args.from_wheel, force=args.force)
        return 0
    found = list_models()
    if not found:
        print(f"no pose models installed; run `formcheck models fetch` (or set {ENV_VAR})")
        return 0
    bad = 0
    for m in found:
        status = "ok" if m.problem is None else f"BROKEN: {m.problem}"
        bad += m.problem is not None
        print(f"{m.variant:6} {m.size_bytes / 1e6:6.1f} MB  {m.location:15} {m.path}  {status}")
    return 1 if bad else 0
