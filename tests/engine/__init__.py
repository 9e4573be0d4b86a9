"""Tests of the engine layer (faktory_desktop.engine)."""
