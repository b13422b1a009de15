"""Plumbing shared by the vendor integrations (channels_app, shipping_app, accounting_app).

* :mod:`config.integrations.crypto` - vendor secrets at rest (Fernet, per-app context);
* :mod:`config.integrations.registry` - plugin classes by ``kind``;
* :mod:`config.integrations.webhooks` - the webhook receiving view;
* :mod:`config.integrations.models` - the abstract vendor account model.

The egress guard every outbound vendor call goes through is :mod:`config.egress`. These modules
import no app; each integration app imports each of them in one place of its own (its
``crypto.py``, its registry module, its webhook view, its account model). The core
(inventory_app) imports none of them.
"""
