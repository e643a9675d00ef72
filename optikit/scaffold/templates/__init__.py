"""Template files of optikit plugin new (package data, not code)."""
