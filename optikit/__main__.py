"""``python -m optikit``: the command line, for environments without the console script."""

from optikit.cli import main

if __name__ == "__main__":
    main()
