"""The printed tables: raw | demo | demo/raw, and the targets with PASS/FAIL."""

from __future__ import annotations

import os
import statistics
from collections.abc import Callable
from typing import Any

from bench.window import SUSTAIN_S

SETUP_MAX_S = 1.0
FPS_MIN = 29.0
LATENCY_P95_MAX_MS = 100.0
CPU_MAX_RATIO = 1.3
SOAK_GROWTH_MAX_MB = 20.0

DIRS = {
    "classroom_to_student": ("class → pupil", (1280, 720)),
    "student_to_classroom": ("pupil → class", (640, 480)),
}
WORST = f"fps_worst_{SUSTAIN_S}s"

Result = dict[str, Any]
Getter = Callable[[Result], Any]


def _get(*path: str) -> Getter:
    def get(result: Result) -> Any:
        value: Any = result
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return value

    return get


def _resolution(direction: str) -> Getter:
    def get(result: Result) -> Any:
        d = _get("directions", direction)(result)
        return f"{d['width']}×{d['height']}" if d else None

    return get


def _load(result: Result) -> Any:
    load = result.get("loadavg_1m")
    return f"{load[0]:.2f}, {load[1]:.2f}" if load else None


def _cpu_per_frame(result: Result) -> Any:
    """CPU per frame that arrived: fair when a starved run delivered (and cost) less."""
    frames = sum(_get("directions", key, "frames")(result) or 0 for key in DIRS)
    cpu = result.get("cpu_s")
    return round(1000 * cpu / frames, 2) if cpu is not None and frames else None


def _rows() -> list[tuple[str, Getter]]:
    rows: list[tuple[str, Getter]] = [
        ("setup: start → first frame both sides (s)", _get("setup_s")),
        ("  demo incl. signaling server start (s)", _get("setup_with_server_s")),
        ("media seconds measured", _get("media_s")),
        ("CPU s per media s (both parties)", _get("cpu_per_media_s")),
        ("CPU ms per video frame delivered", _cpu_per_frame),
        ("threads' wait for a core, s per media s", _get("runqueue_wait_per_media_s")),
        ("peak RSS (MB)", _get("peak_rss_mb")),
        ("machine load avg 1 min (start, end)", _load),
    ]
    for key, (label, _) in DIRS.items():
        rows += [
            (f"{label}: resolution", _resolution(key)),
            (f"{label}: fps (distinct / media s)", _get("directions", key, "fps")),
            (f"{label}: fps worst {SUSTAIN_S} s", _get("directions", key, WORST)),
            (f"{label}: video RTP kbit/s sent", _get("directions", key, "video_kbps")),
            (f"{label}: latency p50 (ms)", _get("directions", key, "latency_ms_p50")),
            (f"{label}: latency p95 (ms)", _get("directions", key, "latency_ms_p95")),
            (f"{label}: audio frames/s", _get("directions", key, "audio_fps")),
            (f"{label}: freezes > 500 ms", _get("directions", key, "freezes")),
        ]
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def _ratio(a: Any, b: Any) -> str:
    if isinstance(a, bool) or not isinstance(a, int | float) or not isinstance(b, int | float):
        return "–"
    return f"{b / a:.2f}" if a else "–"


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(header, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def _combined(values: list[Any]) -> Any:
    """One run: its value. More: the median, with the spread, or the distinct values."""
    if len(values) == 1:
        return values[0]
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if not numbers:
        distinct = list(dict.fromkeys(_cell(v) for v in values))
        return distinct[0] if len(distinct) == 1 else " / ".join(distinct)
    median = statistics.median(numbers)
    whole = all(isinstance(v, int) for v in numbers) and median == int(median)
    return int(median) if whole else median


def _spread(values: list[Any]) -> str:
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if len(values) == 1 or not numbers:
        return _cell(_combined(values))
    return f"{_cell(_combined(values))} ({_cell(min(numbers))}–{_cell(max(numbers))})"


def print_side_by_side(results: dict[str, list[Result]]) -> None:
    raws, demos = results.get("raw", []), results.get("demo", [])
    runs = max(len(raws), len(demos))
    rows = []
    for label, get in _rows():
        a, b = [get(r) for r in raws], [get(r) for r in demos]
        rows.append([label, _spread(a), _spread(b), _ratio(_combined(a), _combined(b))])
    note = "" if runs == 1 else f" — median of {runs} runs (min–max)"
    print(_table(["metric" + note, "raw", "demo", "ratio (demo/raw)"], rows))
    for demo in demos:
        extra = demo.get("report", {})
        print(
            f"demo: candidate {extra.get('candidate_type')}, RTT {extra.get('rtt_ms')} ms, "
            f"peers verified {extra.get('peer_verified')}, ended {extra.get('end_reason')}"
        )
    _warn_if_busy([*raws, *demos])
    print()
    pairs = list(zip(raws, demos, strict=False))
    measured = "measured" + (" (per run)" if runs > 1 else "")
    print(_table(["target (demo run)", measured, "result"], targets(pairs)))


def _warn_if_busy(results: list[Result]) -> None:
    """Other work on the machine competes for the cores: say so next to the figures."""
    cores = os.cpu_count() or 1
    starts = [r["loadavg_1m"][0] for r in results if r.get("loadavg_1m")]
    if starts and max(starts) > cores / 2:
        print(
            f"note: load average up to {max(starts):.2f} on {cores} cores when a run began: "
            "other work competed, so latency and fps are pessimistic (CPU time is ours alone)"
        )


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def _verdicts(oks: list[bool | None]) -> str:
    known = [ok for ok in oks if ok is not None]
    if not known:
        return "n/a"
    if len(oks) == 1 or all(known) or not any(known):
        return _verdict(all(known))
    return f"MIXED: {sum(known)}/{len(known)} PASS"


Check = Callable[[Result, Result], tuple[str, bool | None]]


def _setup(_raw: Result, demo: Result) -> tuple[str, bool | None]:
    setup = demo.get("setup_s")
    return _cell(setup), None if setup is None else setup <= SETUP_MAX_S


def _fps(key: str, width: int, height: int) -> Check:
    def check(_raw: Result, demo: Result) -> tuple[str, bool | None]:
        d = _get("directions", key)(demo) or {}
        worst = d.get(WORST)
        size_ok = (d.get("width"), d.get("height")) == (width, height)
        text = f"{d.get('width')}×{d.get('height')} worst {_cell(worst)} mean {_cell(d.get('fps'))}"
        return text, None if worst is None else size_ok and worst >= FPS_MIN

    return check


def _latency(key: str) -> Check:
    def check(_raw: Result, demo: Result) -> tuple[str, bool | None]:
        p95 = _get("directions", key, "latency_ms_p95")(demo)
        return _cell(p95), None if p95 is None else p95 <= LATENCY_P95_MAX_MS

    return check


def _cpu(raw: Result, demo: Result) -> tuple[str, bool | None]:
    a, b = raw.get("cpu_per_media_s"), demo.get("cpu_per_media_s")
    ratio = b / a if a and b is not None else None
    return f"{_cell(ratio)}×", None if ratio is None else ratio <= CPU_MAX_RATIO


def targets(pairs: list[tuple[Result, Result]]) -> list[list[str]]:
    checks: list[tuple[str, Check]] = [(f"setup ≤ {SETUP_MAX_S} s", _setup)]
    checks += [
        (f"{label} {w}×{h} ≥ {FPS_MIN:g} fps (every {SUSTAIN_S} s)", _fps(key, w, h))
        for key, (label, (w, h)) in DIRS.items()
    ]
    checks += [
        (f"{label} latency p95 ≤ {LATENCY_P95_MAX_MS:g} ms", _latency(key))
        for key, (label, _) in DIRS.items()
    ]
    checks.append((f"CPU ≤ {CPU_MAX_RATIO} × raw", _cpu))
    out = []
    for name, check in checks:
        measured = [check(raw, demo) for raw, demo in pairs]
        out.append([name, " / ".join(m[0] for m in measured), _verdicts([m[1] for m in measured])])
    return out


def soak_figures(result: Result, from_s: float) -> dict[str, Any]:
    """RSS at ``from_s`` and at the end, the growth between, and a least-squares trend.

    One sample can sit ±50 MB off its neighbours (encoder buffers come and go), so
    the trend over every sample from ``from_s`` on says more than two end points.
    """
    samples = [(t, mb) for t, mb in result.get("rss_mb", []) if t >= from_s]
    if len(samples) < 2:
        return {"rss_from": None, "rss_end": None, "growth": None, "trend": None}
    times, sizes = [t for t, _ in samples], [mb for _, mb in samples]
    slope = statistics.linear_regression(times, sizes).slope
    return {
        "rss_from": sizes[0],
        "rss_end": sizes[-1],
        "growth": round(sizes[-1] - sizes[0], 1),
        "trend": round(slope * (times[-1] - times[0]), 1),
    }


def print_soak(results: dict[str, Result], seconds: float, from_s: float) -> None:
    modes = [m for m in ("raw", "demo") if m in results]
    figures = {m: soak_figures(results[m], from_s) for m in modes}
    rows: list[tuple[str, Getter]] = [
        (f"RSS at {from_s:g} s (MB)", lambda r: soak_figures(r, from_s)["rss_from"]),
        ("RSS at end (MB)", lambda r: soak_figures(r, from_s)["rss_end"]),
        (f"RSS growth {from_s:g} s → end (MB)", lambda r: soak_figures(r, from_s)["growth"]),
        (
            f"RSS trend {from_s:g} s → end, least squares (MB)",
            lambda r: soak_figures(r, from_s)["trend"],
        ),
        ("peak RSS (MB)", _get("peak_rss_mb")),
        ("CPU s per media s", _get("cpu_per_media_s")),
    ]
    for key, (label, _) in DIRS.items():
        rows += [
            (f"{label}: fps last 5 s", _get("directions", key, "fps_last_5s")),
            (f"{label}: fps last 60 s", _get("directions", key, "fps_last_60s")),
            (f"{label}: fps whole soak", _get("directions", key, "fps")),
            (f"{label}: latency p95, last 30 s (ms)", _get("directions", key, "latency_ms_p95")),
            (f"{label}: freezes > 500 ms", _get("directions", key, "freezes")),
        ]
    print(f"soak: {seconds:g} s of media")
    cells = [[label, *(_cell(get(results[m])) for m in modes)] for label, get in rows]
    print(_table(["metric", *modes], cells))
    for mode in modes:
        series = ", ".join(f"{t:g}:{mb:g}" for t, mb in results[mode].get("rss_mb", []))
        print(f"{mode} RSS (s:MB): {series}")
    demo = figures.get("demo", {})
    for key, what in (("growth", "growth (end − 60 s sample)"), ("trend", "trend")):
        value = demo.get(key)
        ok = None if value is None else value < SOAK_GROWTH_MAX_MB
        print(
            f"target: demo RSS {what} < {SOAK_GROWTH_MAX_MB:g} MB: {_cell(value)} MB {_verdict(ok)}"
        )
