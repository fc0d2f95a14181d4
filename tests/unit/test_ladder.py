"""media.ladder: the picture size a target carries."""

from __future__ import annotations

from media.ladder import picture_size


def test_a_lower_target_gets_a_smaller_picture_with_even_sides() -> None:
    assert picture_size(1280, 720, 1_500_000) == (1280, 720)
    assert picture_size(1280, 720, 700_000) == (960, 540)
    assert picture_size(1280, 720, 400_000) == (640, 360)
    assert picture_size(1280, 720, 100_000) == (480, 270)  # the smallest, whatever the rate
    assert picture_size(640, 480, 400_000) == (640, 480)  # a small camera keeps its size
    assert picture_size(642, 362, 100_000) == (320, 180)  # odd scaled sides made even
    width, height = picture_size(1278, 718, 300_000)
    assert width % 2 == 0 and height % 2 == 0
