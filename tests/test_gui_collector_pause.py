"""The garbage collector paused while code gate checks run in workers
(gui/common/collector_pause.py): a collection there could destroy the GUI thread's Qt objects
from the wrong thread."""

import gc
import os
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from gui.common import collector_pause  # noqa: E402
from gui.common.collector_pause import pause_collector, resume_collector  # noqa: E402


def finish_in_a_thread():
    worker = threading.Thread(target=resume_collector)
    worker.start()
    worker.join()


def test_collections_wait_for_every_worker_and_resume_on_the_gui_thread(qtbot):
    assert gc.isenabled()
    pause_collector()
    pause_collector()  # two checks at once (the editor's and a file's trust)
    assert not gc.isenabled() and collector_pause.collector_paused()
    finish_in_a_thread()
    qtbot.wait(20)
    assert not gc.isenabled()  # the other one still runs
    finish_in_a_thread()
    assert not gc.isenabled()  # resumed on the GUI thread's next turn, not in the worker
    qtbot.waitUntil(gc.isenabled)
    assert not collector_pause.collector_paused()


def test_a_collector_turned_off_by_someone_else_stays_off(qtbot):
    gc.disable()
    try:
        pause_collector()
        finish_in_a_thread()
        qtbot.wait(20)
        assert not gc.isenabled()
    finally:
        gc.enable()
