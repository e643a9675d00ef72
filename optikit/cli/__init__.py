"""optikit command line (placeholder until the CLI lands)."""


def main() -> None:
    raise SystemExit("optikit CLI not built yet")
