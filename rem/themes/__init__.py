"""Themes: named groups of effects within one collaboration (the REM step after mapping)."""
