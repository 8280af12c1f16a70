"""PacedCall, driven by a fake clock: requests within the interval are answered by one call at
its end (never dropped), the first request and every request with no interval after the
current events, and a new interval re-times the pending call."""

from PySide6.QtCore import QObject

from gui.common.paced import PacedCall


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def make_call(clock):
    owner = QObject()
    calls = []
    paced = PacedCall(owner, lambda: calls.append(clock.now), clock=clock)
    return owner, paced, calls


def test_without_an_interval_every_turn_with_a_request_gets_one_call(qtbot):
    clock = FakeClock()
    _owner, paced, calls = make_call(clock)
    for _ in range(3):
        paced.start()
        paced.start()  # asked twice in one turn: one call
        assert paced.delay_ms() == 0
        qtbot.waitUntil(lambda: not paced.isActive())
        clock.now += 0.001
    assert len(calls) == 3


def test_requests_within_the_interval_wait_for_its_end_and_get_one_call(qtbot):
    clock = FakeClock()
    _owner, paced, calls = make_call(clock)
    paced.set_min_interval(0.5)  # (binary fractions: the fake times add up exactly)
    paced.start()  # nothing ran yet: answered after the current events
    qtbot.waitUntil(lambda: len(calls) == 1)
    clock.now += 0.125
    assert paced.delay_ms() == 375  # the rest of the interval
    for _ in range(5):  # five frames' requests inside the interval
        paced.start()
        clock.now += 0.0625
    assert paced.isActive()
    qtbot.waitUntil(lambda: len(calls) == 2)  # the last request is answered
    assert not paced.isActive() and calls == [100.0, 100.4375]
    clock.now += 0.5
    assert paced.delay_ms() == 0  # a quiet interval: the next request comes at once


def test_work_done_directly_restarts_the_interval(qtbot):
    clock = FakeClock()
    _owner, paced, calls = make_call(clock)
    paced.set_min_interval(0.5)
    paced.start()
    paced.ran()  # the owner did the work itself (a flush): nothing pending any more
    assert not paced.isActive()
    clock.now += 0.25
    assert paced.delay_ms() == 250
    qtbot.wait(1)
    assert calls == []


def test_dropping_the_interval_answers_the_pending_request_now(qtbot):
    clock = FakeClock()
    _owner, paced, calls = make_call(clock)
    paced.set_min_interval(3600)  # an hour: only the change of pace can bring the call
    paced.ran()
    paced.start()
    assert paced.delay_ms() == 3_600_000
    paced.set_min_interval(0)  # the run ended: its last state is shown at once
    qtbot.waitUntil(lambda: len(calls) == 1)
    assert paced.min_interval_s == 0
