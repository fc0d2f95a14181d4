"""The draining instance's window: devices told to move at most ``rate`` a second, and
at most a second's worth of arrivals on their way at once (signaling.drain)."""

from __future__ import annotations

from typing import Any, cast

from signaling import drain
from signaling.drain import MoveWindow
from signaling.hub import Link


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _links(n: int) -> list[Link]:
    return [cast(Link, object()) for _ in range(n)]


def _tell(window: MoveWindow, links: list[Link], arrived: Any) -> list[Link]:
    told = links[: window.room(arrived)]
    for link in told:
        window.closed(link)
    del links[: len(told)]
    return told


def test_devices_are_told_no_faster_than_the_others_ceiling() -> None:
    clock = Clock()
    window = MoveWindow(300.0, clock)
    links, told = _links(2000), 0
    for _ in range(20):  # one second, every step; every device arrives at once
        told += len(_tell(window, links, lambda _link: True))
        clock.now += drain.STEP
    assert 290 <= told <= 300 + 300 * drain.STEP  # 300 a second, one step's worth early


def test_a_late_wake_up_does_not_become_a_burst() -> None:
    clock = Clock()
    window = MoveWindow(300.0, clock)
    links = _links(2000)
    _tell(window, links, lambda _link: True)
    clock.now += 2.0  # the loop was busy for two seconds
    assert len(_tell(window, links, lambda _link: True)) <= 300 * 2 * drain.STEP


def test_nothing_arriving_holds_the_drain_at_the_floor() -> None:
    clock = Clock()
    window = MoveWindow(300.0, clock)
    links, told = _links(2000), 0
    for _ in range(60):  # three seconds in which nobody shows up elsewhere
        told += len(_tell(window, links, lambda _link: False))
        clock.now += drain.STEP
    # the first second assumes the ceiling (nothing can have arrived yet); after it,
    # at most FLOOR on their way until ON_WAY_FOR lets them go
    assert told <= 300 + 300 * drain.STEP
    clock.now += 2.0
    assert window.room(lambda _link: False) == 0
    assert not window.arrived_any


def test_the_window_follows_what_arrived_in_the_last_second() -> None:
    clock = Clock()
    window = MoveWindow(1000.0, clock)
    links = _links(5000)
    on_way: list[Link] = []
    arrived: set[int] = set()
    for _ in range(40):  # two seconds; the others take 100 a second, oldest first
        on_way += _tell(window, links, lambda link: id(link) in arrived)
        for link in on_way[:5]:
            arrived.add(id(link))
        on_way = on_way[5:]
        clock.now += drain.STEP
    assert window.arrived_any
    # after the first second: ~100 arrivals a second allow ~100 on their way, not
    # the 1,000 a second the ceiling would
    before = len(links)
    window.room(lambda link: id(link) in arrived)
    clock.now += drain.STEP
    assert len(_tell(window, links, lambda link: id(link) in arrived)) <= 5
    assert before - len(links) <= 5


def test_a_device_that_never_arrives_gives_its_place_back_after_a_while() -> None:
    clock = Clock()
    window = MoveWindow(1000.0, clock)
    links = _links(100)
    clock.now += 1.5  # past the first second, nothing arrived: the floor
    told = _tell(window, links, lambda _link: False)
    assert len(told) == drain.FLOOR
    clock.now += drain.STEP
    assert window.room(lambda _link: False) == 0
    clock.now += drain.ON_WAY_FOR
    assert window.room(lambda _link: False) == drain.FLOOR
