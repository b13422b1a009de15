"""Events for integrators and their webhook deliveries.

``record``: events written in the transaction of the change; ``publish``: numbering and fan-out
to endpoints; ``delivery``: signed HTTP deliveries with backoff, in order per key; ``endpoints``:
registering, rotating, enabling endpoints and redelivering; ``signing``: the signature scheme.
"""
