"""Shared state between signaling server instances: presence and in-flight relays.

One interface (:class:`signaling.backplane.base.Backplane`), two implementations:
:mod:`.memory` (the default: one process, nothing leaves it) and :mod:`.redisbus`
(``klasgenoot server --redis URL``: several instances share one Redis).
"""
