"""Benchmarks for rem: a synthetic network generator and the `make bench` suite.

    .venv/bin/python -m benchmarks.generate --help   build a network into a database
    .venv/bin/python benchmarks/run.py               every measurement (make bench)
"""
