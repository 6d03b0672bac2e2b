"""``python -m formcheck``: the same command line as ``formcheck`` (see ``formcheck.cli``)."""

from formcheck.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
