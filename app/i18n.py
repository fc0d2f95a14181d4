"""Language: Dutch by default, English selectable, switched live.

Source strings in ``app/`` are English (``self.tr("...")`` or
``QCoreApplication.translate("Context", "...")``); ``translations/klasgenoot_nl.ts``
translates all of them to Dutch. Error sentences come the other way round: core
packages speak Dutch (``KlasgenootError`` docstrings), ``app/error_messages.py``
lists them in the context ``errors`` and ``translations/klasgenoot_en.ts``
translates that context to English. ``tools/build-translations`` compiles both to
``app/translations/*.qm``.

:func:`set_language` swaps the installed translators; Qt then sends
``QEvent.LanguageChange`` to every widget, and each view sets its texts again in
``changeEvent`` (see :class:`app.kiosk.KioskWindow.retranslate`).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, QTranslator

from app.error_messages import MESSAGES
from app.settings import DEFAULT_LANGUAGE, LANGUAGES
from common.errors import KlasgenootError

logger = logging.getLogger(__name__)

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
ERRORS_CONTEXT = "errors"
# Each language is named in itself, so someone who cannot read the other one
# still finds their own.
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}
_LOCALES = {"nl": QLocale(QLocale.Language.Dutch, QLocale.Country.Netherlands),
            "en": QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)}  # fmt: skip
_DETAIL = re.compile(r"^(?P<sentence>.+) \((?P<detail>[^()]*)\)$", re.DOTALL)
_KNOWN = frozenset(MESSAGES)


class _Installed:
    language: str = DEFAULT_LANGUAGE
    translators: tuple[QTranslator, ...] = ()


def language() -> str:
    """The current UI language code (``nl`` or ``en``)."""
    return _Installed.language


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def set_language(code: str, directory: Path | None = None) -> bool:
    """Install the translators for ``code``; False if its catalog was missing.

    Needs a QCoreApplication. Every widget gets ``QEvent.LanguageChange``.
    """
    if code not in LANGUAGES:
        logger.warning("unknown language %r, using %s", code, DEFAULT_LANGUAGE)
        code = DEFAULT_LANGUAGE
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("set_language needs a QCoreApplication")
    changed = False
    for old in _Installed.translators:
        changed |= QCoreApplication.removeTranslator(old)
    ours = QTranslator(app)
    found = ours.load(f"klasgenoot_{code}", str(directory or TRANSLATIONS_DIR))
    if not found:
        logger.warning("no translations for %s: run tools/build-translations", code)
    qt = QTranslator(app)  # Qt's own strings (dialog buttons, file dialog)
    qt.load(f"qtbase_{code}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    installed = tuple(t for t in (ours, qt) if not t.isEmpty())
    for translator in installed:
        QCoreApplication.installTranslator(translator)
    _Installed.language, _Installed.translators = code, installed
    QLocale.setDefault(_LOCALES[code])
    if not changed and not installed:  # Qt sends LanguageChange only for real changes
        QCoreApplication.sendEvent(app, QEvent(QEvent.Type.LanguageChange))
    logger.info("language: %s", code)
    return found


def remove_translators() -> None:
    """Back to the source strings (tests; the app itself always has a language)."""
    for old in _Installed.translators:
        QCoreApplication.removeTranslator(old)
    _Installed.language, _Installed.translators = DEFAULT_LANGUAGE, ()


def error_sentence(error: BaseException | str) -> str:
    """The Dutch sentence for an error, without its technical detail."""
    if isinstance(error, KlasgenootError):
        return error.message()
    if isinstance(error, str):
        if error in _KNOWN:
            return error
        match = _DETAIL.match(error)
        if match and match["sentence"] in _KNOWN:
            return match["sentence"]
        return error  # already a sentence from somewhere else: shown as it is
    return KlasgenootError.message()


def error_text(error: BaseException | str) -> str:
    """The sentence a person sees for ``error``, in the current language.

    ``error`` is an exception (a KlasgenootError's docstring; anything else gets the
    generic sentence) or a sentence as the bridge's ``failed`` signal carries it.
    """
    return QCoreApplication.translate(ERRORS_CONTEXT, error_sentence(error))


def generic_error_text() -> str:
    return error_text(KlasgenootError())
