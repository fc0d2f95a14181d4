"""First run: enrolling a device that is not paired yet (see view.py)."""

from app.firstrun.view import FirstRunView

__all__ = ["FirstRunView"]
