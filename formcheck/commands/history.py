"""``formcheck history``: list, show, export, import and delete stored sessions.

    formcheck history list [--profile NAME] [--drill NAME]
    formcheck history show ID
    formcheck history export FILE.csv [--profile NAME]
    formcheck history import FILE.csv
    formcheck history delete ID
    formcheck history trend --drill NAME --metric KEY [--profile NAME]

``--db PATH`` (or $FORMCHECK_HISTORY) chooses the store file.
"""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``history`` subcommand."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "history",
        help="your stored sessions: list, show, trend, export, import, delete",
        description="Sessions saved with `formcheck analyze --save` or from the page.",
    )
    p.add_argument(
        "--db", help="history file (default: $FORMCHECK_HISTORY or the per-user data dir)"
    )
    sub = p.add_subparsers(dest="action", required=True)
    ls = sub.add_parser("list", help="one line per session")
    ls.add_argument("--profile")
    ls.add_argument("--drill")
    show = sub.add_parser("show", help="the stored report of one session (JSON)")
    show.add_argument("id", type=int)
    exp = sub.add_parser("export", help="write sessions to CSV")
    exp.add_argument("file")
    exp.add_argument("--profile")
    imp = sub.add_parser("import", help="add sessions from a CSV written by export")
    imp.add_argument("file")
    rm = sub.add_parser("delete", help="delete one session")
    rm.add_argument("id", type=int)
    tr = sub.add_parser("trend", help="one metric over time, with the smallest real change")
    tr.add_argument("--drill", required=True)
    tr.add_argument("--metric", required=True)
    tr.add_argument("--profile", help="whose sessions (default: the only profile, if there is one)")
    return p


def run(args: argparse.Namespace) -> int:
    """Carry out the history action; returns the exit code."""
    import json

    from formcheck.errors import FormcheckError
    from formcheck.history import SMALLEST_REAL_CHANGE, HistoryStore, session_legs

    with HistoryStore(args.db) as store:
        if args.action == "list":
            sessions = store.sessions(args.profile, args.drill)
            if not sessions:
                print("no sessions stored yet: run `formcheck analyze VIDEO --drill NAME --save`")
            for s in sessions:
                score = "-" if s.score is None else f"{s.score:.0f}"
                legs = "+".join(session_legs(s.summary)) or (
                    s.leg if s.leg not in (None, "auto") else "-"
                )
                print(
                    f"{s.id:5d}  {s.recorded_at}  {s.profile:12s} {s.drill:20s} leg {legs:10s} score {score}"
                )
        elif args.action == "show":
            print(json.dumps(json.loads(store.report_json(args.id)), indent=2))
        elif args.action == "export":
            n = store.export_csv(args.file, args.profile)
            print(f"wrote {n} sessions to {args.file}")
        elif args.action == "import":
            n = store.import_csv(args.file)
            print(f"imported {n} sessions from {args.file}")
        elif args.action == "delete":
            store.delete_session(args.id)
            print(f"deleted session {args.id}")
        elif args.action == "trend":
            profile = args.profile
            if profile is None:
                names = [p.name for p in store.profiles()]
                if len(names) != 1:
                    raise FormcheckError(
                        f"say whose trend with --profile; profiles: {names or 'none yet'}"
                    )
                profile = names[0]
            metrics = store.metric_names(profile, args.drill)
            if args.metric not in metrics:
                raise FormcheckError(
                    f"no values of {args.metric!r} for {profile} / {args.drill}; stored metrics: "
                    f"{metrics or 'none yet (save a session with `formcheck analyze ... --save`)'}"
                )
            src = SMALLEST_REAL_CHANGE.get(args.metric)
            for point in store.trend(profile, args.drill, args.metric):
                leg = f" {point.leg}" if point.leg else ""
                print(f"{point.recorded_at}{leg}: {point.value:.2f}")
            if src is not None:
                print(f"smallest real change: {src.value} {src.unit} ({src.source})")
    return 0
