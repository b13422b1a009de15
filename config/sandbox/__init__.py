"""The sandbox: fake vendor servers that speak the vendors' real protocols on 127.0.0.1.

One package per vendor (``amazon``, ``shopify``, ``quickbooks``, ``xero``, ``shippo``, ``shipstation``,
``shippingeasy``) and ``generic_channel``. The demo (``make run DEMO=1``), the benchmarks (bench/) and
the tests all import them from here; their own tests live in tests/config/sandbox/.
"""
