"""The holiday rush: a seeded, reproducible simulation of buyers on several fake channels at once
while the network misbehaves, measuring oversells, lost orders, ledger invariants and latency.

    make rush SEED=1 [FAULTS=off]      (or)
    .venv/bin/python -m config.devservices --redis -- .venv/bin/python -m bench.rush --seed 1

See bench/rush/README.md for what is measured and how.
"""
