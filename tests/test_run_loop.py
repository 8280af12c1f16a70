"""The run loop shared by ascent and training, with a fake clock: the time budget is checked
before each unit of work (a unit that would overrun is not started), the job's own limit,
start/pause/stop, and one undo step per run (a run's publishes merge; a publish after another
edit starts a step of its own, named after its own steps; a run that moves nothing leaves none)."""

import pytest
import shiboken6
from PySide6.QtCore import QObject

import engine
from gui.common.run_command import RunValuesCommand
from gui.common.run_loop import RunLoop, any_running
from gui.model.document import Document


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class CostlyJob:
    """Each unit advances the fake clock by the next of ``costs`` (seconds)."""

    def __init__(self, clock, costs, limit=1000, stop_after=None):
        self.clock, self.costs, self.limit, self.stop_after = clock, list(costs), limit, stop_after
        self.done = 0
        self.slice_starts = []
        self.published = 0
        self.finished_with = []

    def wants_more(self, slice_start):
        self.slice_starts.append(slice_start)
        return self.done < self.limit

    def advance(self):
        self.clock.now += self.costs[min(self.done, len(self.costs) - 1)]
        self.done += 1
        return "done" if self.stop_after is not None and self.done >= self.stop_after else None

    def publish(self):
        self.published += 1

    def finished(self, reason):
        self.finished_with.append(reason)


def climb_text(steps):
    return f"Climb ({steps} steps)"


def x_document():
    circuit = engine.Circuit()
    circuit.add_node("input", "x", value=1.0)
    return Document(circuit)


def make_loop(qtbot, costs, budget=0.010, publish_delay_ms=1, **job_options):
    clock = FakeClock()
    job = CostlyJob(clock, costs, **job_options)
    loop = RunLoop(job, budget_s=budget, clock=clock, cpu_clock=clock,
                   publish_delay_ms=publish_delay_ms)
    return loop, job, clock


def test_the_budget_is_checked_before_each_unit(qtbot):
    # 3 ms units, a 10 ms budget: after 9 ms the next unit would end at 12 ms, so it is not
    # started (a check after each unit would have run it and overrun the budget)
    loop, job, clock = make_loop(qtbot, [0.003])
    units, reason = loop.run_slice()
    assert (units, reason) == (3, None)
    assert clock.now == pytest.approx(0.009)


def test_the_estimate_is_the_slowest_of_the_last_units(qtbot):
    # a 6 ms unit among 1 ms ones: from then on a unit is expected to cost 6 ms
    loop, job, clock = make_loop(qtbot, [0.001, 0.006, 0.001])
    units, _reason = loop.run_slice()  # 1 + 6 = 7 ms; 7 + 6 > 10: stop before the third
    assert units == 2
    assert loop.estimate() == pytest.approx(0.006)
    start = clock.now
    units, _reason = loop.run_slice()  # 1 ms units, but 6 ms expected: 0+6, 1+6, 2+6, 3+6 fit
    assert units == 4
    assert clock.now - start == pytest.approx(0.004)


def test_a_unit_bigger_than_the_budget_still_runs_alone(qtbot):
    loop, job, clock = make_loop(qtbot, [0.025])
    assert loop.run_slice() == (1, None)
    assert loop.run_slice() == (1, None)  # never stuck: the first unit of a slice always runs


def test_the_job_ends_a_slice_and_a_run(qtbot):
    loop, job, _clock = make_loop(qtbot, [0.0001], limit=4)
    assert loop.run_slice() == (4, None)  # the job's own limit, well within the budget
    loop, job, _clock = make_loop(qtbot, [0.0001], stop_after=2)
    assert loop.run_slice() == (2, "done")


def test_start_runs_slices_publishes_them_and_stops_by_itself(qtbot):
    loop, job, _clock = make_loop(qtbot, [0.001], stop_after=7)
    loop.start()
    assert loop.running
    qtbot.waitUntil(lambda: not loop.running, timeout=5000)
    assert job.done == 7
    assert job.published >= 1  # the last units were shown before the run ended
    assert job.finished_with == ["done"]


def test_any_running_is_true_from_start_to_stop_of_any_loop(qtbot):
    first, _job, _clock = make_loop(qtbot, [0.001], publish_delay_ms=60_000)
    second, _job, _clock = make_loop(qtbot, [0.001], publish_delay_ms=60_000)
    assert not any_running()
    first.start()
    second.start()
    assert any_running()
    first.stop("paused")
    assert any_running()  # the second still runs
    second.stop("edited", flush=False)
    assert not any_running()
    owner = QObject()
    orphan = RunLoop(CostlyJob(FakeClock(), [0.001]), budget_s=0.01, parent=owner)
    orphan.start()
    assert any_running()
    shiboken6.delete(owner)  # a window closed while it trained: its loop went with it
    assert not any_running()


def test_pause_publishes_what_is_pending_and_an_edit_does_not(qtbot):
    # a long delay before each publish: the test stops the loop while one is due
    loop, job, _clock = make_loop(qtbot, [0.001], publish_delay_ms=60_000)
    loop.start()
    qtbot.waitUntil(lambda: loop.publish_pending, timeout=5000)
    published = job.published
    assert job.done > 0
    loop.stop("paused")
    assert job.published == published + 1 and job.finished_with == ["paused"]
    loop.stop("paused")  # stopping a stopped loop does nothing
    assert job.finished_with == ["paused"]

    loop.start()
    qtbot.waitUntil(lambda: loop.publish_pending, timeout=5000)
    published = job.published
    loop.stop("edited", flush=False)  # inside someone else's edit: nothing may be pushed
    assert job.published == published and job.finished_with == ["paused", "edited"]


def test_each_run_is_one_undo_step(qtbot):
    circuit = engine.Circuit()
    circuit.add_node("input", "x", value=1.0)
    document = Document(circuit)
    stack = document.undo_stack

    clock = FakeClock()

    class Climb:
        """Adds 1 to x per unit, two units a slice; each publish pushes the run's command."""

        def __init__(self):
            self.x, self.steps, self.run_from, self.published = 1.0, 0, 0, 0
            self.slice = (None, 0)
            self.publishes = 0

        def wants_more(self, start):
            if start != self.slice[0]:
                self.slice = (start, 0)
            return self.slice[1] < 2

        def advance(self):
            clock.now += 0.001
            self.slice = (self.slice[0], self.slice[1] + 1)
            self.x += 1
            self.steps += 1
            return "done" if self.steps - self.run_from >= 6 else None

        def publish(self):
            self.publishes += 1
            old = {"x": circuit.nodes["x"].value}
            document.push(RunValuesCommand(document, {"x": self.x}, old, climb_text,
                                           loop.run_id, steps=(self.published, self.steps)))
            self.published = self.steps

        def finished(self, _reason):
            self.run_from = self.steps

    job = Climb()
    loop = RunLoop(job, budget_s=0.01, clock=clock, cpu_clock=clock)
    for run in (1, 2):
        loop.start()
        qtbot.waitUntil(lambda: not loop.running, timeout=5000)
        assert job.publishes == 3 * run
        assert stack.count() == run  # three publishes, one undo step
        assert stack.undoText() == "Climb (6 steps)"
        assert circuit.nodes["x"].value == 1.0 + 6 * run
    stack.undo()
    assert circuit.nodes["x"].value == 7.0
    stack.undo()
    assert circuit.nodes["x"].value == 1.0
    stack.redo()
    stack.redo()
    assert circuit.nodes["x"].value == 13.0


def test_a_run_that_ends_where_it_began_leaves_no_undo_step(qtbot):
    circuit = engine.Circuit()
    circuit.add_node("input", "x", value=1.0)
    document = Document(circuit)
    document.push(RunValuesCommand(document, {"x": 2.0}, {"x": 1.0}, climb_text, 4242,
                                   steps=(0, 1)))
    document.push(RunValuesCommand(document, {"x": 1.0}, {"x": 2.0}, climb_text, 4242,
                                   steps=(1, 2)))
    assert document.undo_stack.count() == 0
    assert circuit.nodes["x"].value == 1.0


def test_a_publish_that_moves_nothing_alone_leaves_no_undo_step(qtbot):
    document = x_document()
    document.push(RunValuesCommand(document, {}, {"x": 1.0}, climb_text, 4242, steps=(0, 30)))
    assert document.undo_stack.count() == 0
    assert not document.is_dirty


def test_a_publish_after_another_edit_is_a_step_of_its_own_named_after_its_steps(qtbot):
    document = x_document()
    stack = document.undo_stack
    document.push(RunValuesCommand(document, {"x": 2.0}, {"x": 1.0}, climb_text, 4242,
                                   steps=(0, 5)))
    document.push(RunValuesCommand(document, {"x": 3.0}, {"x": 2.0}, climb_text, 4242,
                                   steps=(5, 20)))
    document.circuit.add_node("input", "y", value=0.0)  # not a command: the stack's top stays
    stack.push(RunValuesCommand(document, {"y": 1.0}, {"y": 0.0}, lambda _n: "Other"))
    document.push(RunValuesCommand(document, {"x": 4.0}, {"x": 3.0}, climb_text, 4242,
                                   steps=(20, 30)))
    assert [stack.text(i) for i in range(stack.count())] == [
        "Climb (20 steps)", "Other", "Climb (10 steps)"]
    stack.undo()
    assert document.circuit.nodes["x"].value == 3.0
