"""File dialogs for the technician: wholly in the UI language, opening at the USB stick.

Qt's own file dialog takes its words from Qt's catalog, whose Dutch lacks "Look in:"
and "Files of type:", so the dialog was half English; every label is set here.
It opens where a stick is mounted (``/media/<user>/<stick>``, ``/run/media/<user>/
<stick>``, or ``/media/<stick>`` on systems that mount there), because that is where
the request goes and the bundle comes from; without a stick, at home.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QWidget


def _mount_bases() -> list[Path]:
    user = os.environ.get("USER") or os.environ.get("USERNAME") or ""
    bases = [Path("/media") / user, Path("/run/media") / user] if user else []
    return [*bases, Path("/media"), Path("/run/media"), Path("/Volumes")]


def removable_media_folder(
    bases: Sequence[Path] | None = None,
    *,
    is_mount: Callable[[Path], bool] = os.path.ismount,
    home: Path | None = None,
) -> Path:
    """The first mounted stick under the usual mount folders; else home."""
    for base in _mount_bases() if bases is None else bases:
        try:
            children = sorted(p for p in base.iterdir() if p.is_dir())
        except OSError:
            continue  # not there, or not ours to read
        for child in children:
            if is_mount(child):
                return child
    return Path.home() if home is None else home


def file_dialog(
    parent: QWidget | None, title: str, start: Path, *, folder: bool = False,
    name_filter: str = "", save: bool = False,
) -> QFileDialog:  # fmt: skip
    """A Qt (not native) dialog with every label in the UI language."""
    dialog = QFileDialog(parent, title, str(start))
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)  # the same dialog everywhere
    if folder:
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly)
    elif save:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    else:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    if name_filter:
        dialog.setNameFilter(name_filter)
    if folder:
        accept = QCoreApplication.translate("FileDialog", "Choose")
    else:
        accept = (
            QCoreApplication.translate("FileDialog", "Save")
            if save
            else QCoreApplication.translate("FileDialog", "Open")
        )
    labels = {
        QFileDialog.DialogLabel.LookIn: QCoreApplication.translate("FileDialog", "Look in:"),
        QFileDialog.DialogLabel.FileName: QCoreApplication.translate("FileDialog", "Folder:")
        if folder
        else QCoreApplication.translate("FileDialog", "File name:"),
        QFileDialog.DialogLabel.FileType: QCoreApplication.translate(
            "FileDialog", "Files of type:"
        ),
        QFileDialog.DialogLabel.Accept: accept,
        QFileDialog.DialogLabel.Reject: QCoreApplication.translate("FileDialog", "Cancel"),
    }
    for label, text in labels.items():
        dialog.setLabelText(label, text)
    return dialog


def ask(dialog: QFileDialog) -> Path | None:
    """Run the dialog; the chosen path, or None when cancelled."""
    if dialog.exec() != QFileDialog.DialogCode.Accepted:
        return None
    chosen = dialog.selectedFiles()
    return Path(chosen[0]) if chosen else None
