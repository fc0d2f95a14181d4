"""No product code can record media: no aiortc MediaRecorder, no PyAV output container,
no Qt recorder or image writer, and no window or frame grab saved to disk, except
the demo's screenshots (synthetic media only: the demo refuses --screenshots with a
real camera). An AST check over every module of the product packages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("app", "media", "pairing", "signaling", "privacy", "common")
BANNED = {"MediaRecorder", "MediaRecorderContext", "QMediaRecorder", "QImageWriter",
          "OutputContainer"}  # fmt: skip
GRABS = {"grab", "grabToImage", "toImage", "to_image", "to_ndarray"}
# file -> why saving a grabbed picture is acceptable there
ALLOWED_SAVES = {"app/demo/windows.py": "demo screenshots of synthetic media"}


class Finder(ast.NodeVisitor):
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.av_modules: set[str] = set()
        self.av_open: set[str] = set()

    def _flag(self, node: ast.AST, what: str) -> None:
        self.problems.append(f"line {getattr(node, 'lineno', '?')}: {what}")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == "av" or alias.name.startswith("av."):
                self.av_modules.add((alias.asname or alias.name).split(".")[0])
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name in BANNED:
                self._flag(node, f"imports {alias.name}")
            if (node.module or "").split(".")[0] == "av" and alias.name == "open":
                self.av_open.add(alias.asname or "open")
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in BANNED:
            self._flag(node, f"uses {node.id}")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in BANNED:
            self._flag(node, f"uses {node.attr}")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and node.value in BANNED:  # getattr(module, "...")
            self._flag(node, f"names {node.value}")

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        is_av_open = (
            isinstance(func, ast.Attribute) and func.attr == "open"
            and isinstance(func.value, ast.Name) and func.value.id in self.av_modules
        ) or (isinstance(func, ast.Name) and func.id in self.av_open)  # fmt: skip
        if is_av_open:
            mode = node.args[1] if len(node.args) > 1 else None
            mode = next((k.value for k in node.keywords if k.arg == "mode"), mode)
            if mode is not None and not (
                isinstance(mode, ast.Constant) and str(mode.value).startswith("r")
            ):
                self._flag(node, "opens a PyAV container for writing")
        if (
            isinstance(func, ast.Attribute) and func.attr == "save"
            and isinstance(func.value, ast.Call) and isinstance(func.value.func, ast.Attribute)
            and func.value.func.attr in GRABS
        ):  # fmt: skip
            self._flag(node, f"saves a {func.value.func.attr}() picture")
        self.generic_visit(node)


def problems_in(source: str) -> list[str]:
    finder = Finder()
    finder.visit(ast.parse(source))
    return finder.problems


def product_files() -> list[Path]:
    return sorted(p for package in PRODUCT for p in (ROOT / package).rglob("*.py"))


def test_the_product_packages_are_all_scanned() -> None:
    files = product_files()
    assert len(files) > 50
    for package in PRODUCT:
        assert any(p.relative_to(ROOT).parts[0] == package for p in files), package


@pytest.mark.parametrize("path", product_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_recorder_in_product_code(path: Path) -> None:
    found = problems_in(path.read_text(encoding="utf-8"))
    name = path.relative_to(ROOT).as_posix()
    if name in ALLOWED_SAVES:
        found = [p for p in found if "picture" not in p]
    assert found == [], f"{name}: media must never be written to disk"


@pytest.mark.parametrize(
    "source",
    [
        "from aiortc.contrib.media import MediaRecorder\nMediaRecorder('call.mp4')",
        "import aiortc.contrib.media as m\nm.MediaRecorder('x.webm')",
        "import importlib\ngetattr(importlib.import_module(name), 'MediaRecorder')",
        "import av\nav.open('out.mkv', 'w')",
        "import av as pyav\npyav.open('out.ivf', mode='w', format='ivf')",
        "from av import open as av_open\nav_open(path, 'w')",
        "import av\nav.open(path, mode)",
        "from PySide6.QtMultimedia import QMediaRecorder",
        "from PySide6.QtGui import QImageWriter",
        "frame.toImage().save('/tmp/frame.png')",
        "window.grab().save('shot.png')",
        "from av.container import OutputContainer",
    ],
)  # fmt: skip
def test_the_check_catches_recorders(source: str) -> None:
    assert problems_in(source), source


@pytest.mark.parametrize(
    "source",
    [
        "from aiortc.contrib.media import MediaBlackhole, MediaPlayer",  # discards / reads
        "import av\nav.open(path)\nav.open(path, 'r')",
        "settings.save(value)\npainter.save()",
        "import av\nframe = av.VideoFrame(640, 480, 'yuv420p')",
    ],
)
def test_the_check_allows_what_writes_no_media(source: str) -> None:
    assert problems_in(source) == []
