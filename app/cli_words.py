"""argparse's own words in Dutch, like the rest of the ``klasgenoot`` command.

argparse looks its messages up through ``gettext`` at the moment it prints them,
and Python ships no Dutch catalogue for it; without this, a technician who mistypes
a role reads "error: invalid choice" under Dutch help texts. The catalogue holds the
messages a person can meet; anything else stays in argparse's English.
"""

from __future__ import annotations

import argparse

DUTCH = {
    "usage: ": "gebruik: ",
    "options": "opties",
    "positional arguments": "argumenten",
    "show this help message and exit": "deze hulp tonen en stoppen",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fout: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "%(value)r kan niet (kies uit %(choices)s)"
    ),
    "invalid %(type)s value: %(value)r": "ongeldige waarde: %(value)r",
    "the following arguments are required: %s": "dit ontbreekt nog: %s",
    "unrecognized arguments: %s": "onbekende argumenten: %s",
    "ambiguous option: %(option)s could match %(matches)s": (
        "%(option)s is niet eenduidig: %(matches)s"
    ),
    "expected one argument": "hier hoort één waarde bij",
    "expected at most one argument": "hier hoort hoogstens één waarde bij",
    "expected at least one argument": "hier hoort minstens één waarde bij",
    "not allowed with argument %s": "kan niet samen met %s",
    "one of the arguments %s is required": "kies een van %s",
    "can't open '%(filename)s': %(error)s": "kan '%(filename)s' niet openen: %(error)s",
}


def dutch(message: str) -> str:
    return DUTCH.get(message, message)


def speak_dutch() -> None:
    """Make argparse print its messages in Dutch (a process-wide switch: the
    ``klasgenoot`` command is Dutch everywhere)."""
    argparse._ = dutch  # type: ignore[attr-defined]
