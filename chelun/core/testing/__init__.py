"""Helpers for the test suites of every app (imported by tests only, never by application code)."""
