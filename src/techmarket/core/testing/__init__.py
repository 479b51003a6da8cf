"""Test support shared by every app's tests: the generated workflow matrix, per-layer page and API test
mixins and query-count baselines. Imported by tests only, never by application code."""
