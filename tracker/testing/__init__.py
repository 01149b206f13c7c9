"""Throwaway services for the test suite and the benchmark (never used by the app itself)."""
