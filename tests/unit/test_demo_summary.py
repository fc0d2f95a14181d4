"""The headless demo's summary in words, also for a call too short to measure."""

from __future__ import annotations

from typing import Any

from app.cli_demo import summary


def _direction(**values: Any) -> dict[str, Any]:
    base = {"frames_received": 0, "fps": 0.0, "width": None, "height": None,
            "latency_ms_p50": None, "latency_ms_p95": None, "audio_frames_received": 0,
            "freezes": 0}  # fmt: skip
    return base | values


def _report(**values: Any) -> dict[str, Any]:
    base = {"connected": False, "peer_verified": {"student": False, "classroom": False},
            "setup_ms": None, "candidate_type": None, "rtt_ms": None,
            "classroom_to_student": _direction(), "student_to_classroom": _direction()}  # fmt: skip
    return base | values


def test_nothing_measured_is_said_in_words_not_none() -> None:
    text = summary(_report())
    assert "None" not in text
    assert "opzet niet gemeten, kandidaat geen, RTT niet gemeten" in text
    assert "geen beeld" in text and "Media beide kanten op: NEE" in text


def test_a_measured_call_shows_its_numbers() -> None:
    both = _direction(frames_received=150, fps=29.8, width=1280, height=720,
                      latency_ms_p50=72.6, latency_ms_p95=126.6,
                      audio_frames_received=251)  # fmt: skip
    text = summary(_report(connected=True, setup_ms=276, candidate_type="host", rtt_ms=12.4,
                           classroom_to_student=both, student_to_classroom=both))  # fmt: skip
    assert "Verbonden: ja (opzet 276 ms, kandidaat host, RTT 12.4 ms)" in text
    assert "1280×720, vertraging p50 72.6 ms / p95 126.6 ms" in text


def test_the_path_and_the_rooms_figures_are_said_in_words() -> None:
    room = _direction(echo_return_loss_enhancement_db=33.9, near_end_kept_db=-5.4,
                      noise_suppressed_db=None, echo_convergence_ms=700.0,
                      audio_processing="active")  # fmt: skip
    text = summary(_report(connected=True, candidate_type="relay", relay_protocol="tls",
                           classroom_to_student=room))  # fmt: skip
    assert "kandidaat relay via tls" in text
    assert "echo-onderdrukking 33.9 dB" in text
    assert "ruis niet gemeten," in text and "niet gemeten minder" not in text
