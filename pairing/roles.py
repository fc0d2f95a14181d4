"""The two kinds of device in a pairing."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    STUDENT = "student"
    CLASSROOM = "classroom"

    @property
    def opposite(self) -> Role:
        return Role.CLASSROOM if self is Role.STUDENT else Role.STUDENT
