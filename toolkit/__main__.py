"""``python -m toolkit`` and the ``toolkit`` command."""

import sys


def run() -> None:
    """Run the command line and exit with its code; Ctrl-C while the libraries load (before
    the command itself started) ends with 130 and one line, like Ctrl-C during it."""
    try:
        from toolkit.cli import main

        code = main()
    except KeyboardInterrupt:
        print("\ntoolkit: interrupted", file=sys.stderr)
        code = 130
    sys.exit(code)


if __name__ == "__main__":
    run()
