"""What a device keeps about its use, and nothing more: technical, coded, bounded.

- :mod:`privacy.store` ``ConnectionLog``: what the call engine writes (never raises,
  never blocks; faults in ``ConnectionLog.health``).
- :mod:`privacy.retention`: 90 days (at most 183) and 13 months; purge at start and daily.
- :mod:`privacy.audit`: the HMAC-chained, append-only audit trail.
- :mod:`privacy.export`, :mod:`privacy.erase`, :mod:`privacy.wipe`: the rights.
- :mod:`privacy.keeplist`, :mod:`privacy.overview`: "What this device keeps" and the
  technician screen's data.
- :mod:`privacy.applog`, :mod:`privacy.logfilter`, :mod:`privacy.coredump`: the
  program's own log without addresses, and no core dumps.

Depends on ``common`` only (import-linter); docs/privacy.md maps each promise to
code and tests.
"""
