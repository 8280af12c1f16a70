"""The window's parts, declared once: its docks, its actions with every keyboard shortcut, its
menus and its toolbars.

``main_window.py`` builds the window from these tables (and is the only module that does); Help
-> Keyboard Shortcuts lists the keys from ``ACTIONS``, then the canvas's own keys
(``gui.canvas.canvas_keys``: the arrows, Escape, Space, whose job depends on the selection or a
drag in progress, declared there because the canvas, below this module, acts on them). Nothing
here knows the panels: the window connects each action, by its objectName, to the panel that
does the work. A new tool adds its dock to ``DOCKS``, its actions to ``ACTIONS`` and their
places to ``MENUS``/``TOOLBARS``.

A dock is declared with its place in the default layout (its area, a column of its own, the
dock it is split under or tabbed with) and its sizes: ``size`` is its width in a side area and
its height under the canvas, ``height`` its height in its side column (the lowest dock of a
column takes what the others leave); no dock is narrower than its panel's minimum size hint,
or than ``min_width`` where that hint is too small to read the panel (Qt never squeezes a dock
below that; View -> Reset Layout goes back to ``size`` and ``height``).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QStyle

from gui.canvas.canvas_keys import canvas_key_rows

LEFT, RIGHT, BOTTOM = (Qt.LeftDockWidgetArea, Qt.RightDockWidgetArea,
                       Qt.BottomDockWidgetArea)
SEPARATOR = "-"


@dataclass(frozen=True)
class DockPart:
    """One dock: objectName, title, and its place and sizes in the default layout."""

    name: str
    title: str
    area: Qt.DockWidgetArea
    size: int  # px: the width in a side area, the height under the canvas
    min_width: int = 0  # px: narrower than this, its contents are cut off (0: the panel knows)
    height: int = 0  # px: a side dock's height in its column (0: the column decides)
    new_column: bool = False  # a column of its own in its side area
    below: str = ""  # the dock it sits under, in one column
    tab_with: str = ""  # the dock whose tabs it joins
    in_front: bool = False  # the tab shown first
    scrolls_down: bool = False  # in a dock lower than the panel, it scrolls (never sideways)
    toggle_text: str = ""  # the View menu's entry (the title if empty)
    toggle_tip: str = ""

    @property
    def toggle_name(self) -> str:
        """The objectName of its View menu toggle."""
        return f"action_toggle_{self.name}"


@dataclass(frozen=True)
class ActionPart:
    """One action: objectName, menu text, keys (strings or QKeySequence standard keys), tip."""

    name: str
    text: str
    keys: tuple = ()
    tip: str = ""
    icon: QStyle.StandardPixmap | None = None
    icon_text: str = ""  # a toolbar button's text, if not the menu text
    checkable: bool = False
    shows_dock: str = ""  # the dock brought to the front before the action runs

    @property
    def label(self) -> str:
        """Its stable name ("Undo", not the menu's live "Undo Set x = 3.00"), without a mnemonic
        ampersand or trailing ellipsis."""
        text = self.icon_text or self.text
        return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…. ")

    def key_sequences(self) -> list[QKeySequence]:
        """Its keys as key sequences, the first one first."""
        return [QKeySequence(key) for key in self.keys]


DOCKS = (
    DockPart("palette_dock", "Gates", LEFT, 180),
    DockPart("properties_dock", "Properties", RIGHT, 290, min_width=230, height=420),
    DockPart("inputs_dock", "Inputs", RIGHT, 290, min_width=230, height=380,
             below="properties_dock"),
    DockPart("explain_dock", "Explain", BOTTOM, 230, in_front=True),
    DockPart("gradcheck_dock", "Gradient check", BOTTOM, 230, min_width=340,
             tab_with="explain_dock"),
    DockPart("ascent_dock", "Gradient ascent", BOTTOM, 230, tab_with="gradcheck_dock",
             scrolls_down=True),
    DockPart("jacobian_dock", "Jacobian", BOTTOM, 230, tab_with="ascent_dock"),
    DockPart("training_dock", "Training", RIGHT, 420, new_column=True, below="boundary_dock",
             scrolls_down=True),
    DockPart("boundary_dock", "Decision boundary", RIGHT, 420, height=380, new_column=True,
             toggle_text="&Decision Boundary Plot",
             toggle_tip="Show or hide the decision-boundary plot"),
)
DOCK_PARTS = {part.name: part for part in DOCKS}
CLASSIFIER_COLUMN = ("boundary_dock", "training_dock")  # shown for a classifier only, top first
# while the classifier column shows, these join Training's tabs: one side column, and the
# canvas keeps its room (they get their own column back when it goes)
CLASSIFIER_TABS = ("properties_dock", "inputs_dock")

_FLOW_TIP = "Animate the forward pass, then the backward pass"
ACTIONS = (
    # File
    ActionPart("action_new", "&New", (QKeySequence.New,), "Start an empty circuit",
               QStyle.SP_FileIcon),
    ActionPart("action_open", "&Open…", (QKeySequence.Open,), "Open a circuit file",
               QStyle.SP_DialogOpenButton),
    ActionPart("action_save", "&Save", (QKeySequence.Save,), "Save the circuit",
               QStyle.SP_DialogSaveButton),
    ActionPart("action_save_as", "Save &As…", ("Ctrl+Shift+S",),
               "Save the circuit under a new name"),
    ActionPart("action_import_gates", "&Import Gates…", (),
               "Add gates of your own from another circuit file (a teacher's set of gates)"),
    ActionPart("action_export_gates", "Export &Gates…", (),
               "Write some of this circuit's own gates to a file others can import"),
    ActionPart("action_export_png", "Export &PNG…", (),
               "Save a picture of the canvas (PNG, 2x resolution)"),
    ActionPart("action_export_svg", "Export S&VG…", (), "Save a drawing of the canvas (SVG)"),
    ActionPart("action_quit", "&Quit", ("Ctrl+Q",), "Quit circuitgrad"),
    # Edit (undo and redo are the undo stack's own actions, given these names and keys)
    ActionPart("action_undo", "&Undo", ("Ctrl+Z",), icon=QStyle.SP_ArrowBack,
               icon_text="Undo"),
    ActionPart("action_redo", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), icon=QStyle.SP_ArrowForward,
               icon_text="Redo"),
    ActionPart("action_cut", "Cu&t", ("Ctrl+X",), "Cut the selected gates"),
    ActionPart("action_copy", "&Copy", ("Ctrl+C",),
               "Copy the selected gates and the wires among them"),
    ActionPart("action_paste", "&Paste", ("Ctrl+V",),
               "Paste gates (with their wires) with fresh ids"),
    ActionPart("action_duplicate", "&Duplicate", ("Ctrl+D",), "Duplicate the selected gates"),
    ActionPart("action_delete", "De&lete", (QKeySequence.Delete, "Backspace"),
               "Delete the selected gates and wires"),
    ActionPart("action_select_all", "Select &All", ("Ctrl+A",), "Select every gate"),
    ActionPart("action_expand", "E&xpand to Scalars", ("Ctrl+E",),
               "Write the selected tensor gate (nothing selected: every tensor) as the circuit "
               "of number gates it stands for"),
    # Ctrl+G is Check Gradients: making a gate takes Ctrl+Alt+G, its way back Ctrl+Shift+G
    ActionPart("action_make_gate", "Make &Gate…", ("Ctrl+Alt+G",),
               "Make the selected gates one gate of this file: what enters them becomes its "
               "ports, the value that leaves them its output"),
    ActionPart("action_expand_gate", "Expand Ga&te", ("Ctrl+Shift+G",),
               "Put the selected gate's inside back in its place (the gate stays in this "
               "file's gates)"),
    # View
    ActionPart("action_zoom_in", "Zoom &In", ("Ctrl+=", "Ctrl++"), "Zoom in"),
    ActionPart("action_zoom_out", "Zoom &Out", ("Ctrl+-",), "Zoom out"),
    ActionPart("action_reset_zoom", "&Actual Size", ("Ctrl+0",), "Zoom to 100%"),
    ActionPart("action_fit", "&Fit Circuit", ("F",), "Zoom to show the whole circuit"),
    ActionPart("action_open_gate", "Op&en Gate", (),
               "Show the inside of the selected compound gate to edit it (double-click it, or "
               "Enter on the canvas)"),
    ActionPart("action_back_out", "&Back Out of Gate", ("Alt+Up",),
               "Go back out to where the gate shown was opened from (Escape on the canvas)"),
    ActionPart("action_reset_layout", "&Reset Layout", (),
               "Put every dock back in its first place, at its first size"),
    # Gates: code gates (FORMAT.md 6)
    ActionPart("action_new_code_gate", "&New Code Gate…", ("Ctrl+Alt+N",),
               "Write a gate in Python: forward and backward, checked against the numerical "
               "gradient"),
    ActionPart("action_edit_code_gate", "&Edit Code Gate…", (),
               "Edit the code of the selected code gate (or double-click it)"),
    ActionPart("action_trust_code", "&Trust Code Gates…", (),
               "Show this file's code gates and choose whether to run them"),
    # Run: the animated passes
    ActionPart("action_flow_play", "&Play Passes", ("F5",), _FLOW_TIP, QStyle.SP_MediaPlay,
               "Play"),
    ActionPart("action_flow_pause", "P&ause Passes", ("Shift+F5",),
               "Freeze the dots where they are", QStyle.SP_MediaPause, "Pause"),
    ActionPart("action_flow_step", "S&tep One Level", ("F6",),
               "Send the numbers through the next level of gates (those as deep), then pause",
               QStyle.SP_MediaSkipForward, "Step"),
    ActionPart("action_flow_restart", "&Restart Passes", ("Ctrl+F5",),
               "Back to the start of the forward pass", QStyle.SP_MediaSkipBackward,
               "Restart"),
    ActionPart("action_flow_finish", "Skip to the &End", ("Shift+F6",),
               "Show every number, caption and wire width now", QStyle.SP_MediaSeekForward,
               "End"),
    ActionPart("action_flow_step_into", "Step &Into Gate", ("F8",),
               "Show how the inside of this level's compound gate worked out its numbers, one "
               "gate at a time (Step shows the next)", QStyle.SP_ArrowDown, "Step Into"),
    ActionPart("action_flow_step_out", "Step O&ut of Gate", ("Shift+F8",),
               "Put the inside's steps away and go on with the passes", QStyle.SP_ArrowUp,
               "Step Out"),
    # Run: checks and gradient ascent
    ActionPart("action_check_gradients", "&Check Gradients", ("Ctrl+G",),
               "Compare the backward pass with slopes measured by nudging each input",
               shows_dock="gradcheck_dock"),
    ActionPart("action_ascent_step", "Ascent &Step", ("F7",),
               "Move every free input once along its gradient", shows_dock="ascent_dock"),
    ActionPart("action_ascent_run", "Ascent &Run", ("Shift+F7",),
               "Run gradient ascent until paused", checkable=True, shows_dock="ascent_dock"),
    # Train
    ActionPart("action_train", "&Train / Pause", ("F9",),
               "Train the parameters on the data set until paused", checkable=True,
               shows_dock="training_dock"),
    ActionPart("action_train_step", "Training &Step", ("Shift+F9",), "One training step",
               shows_dock="training_dock"),
    ActionPart("action_reset_params", "&Reset Parameters", (),
               "Random parameter values from the training dock's seed",
               shows_dock="training_dock"),
    ActionPart("action_templates", "New from &Template…", ("Ctrl+Shift+N",),
               "Build a classifier circuit (linear, 2-layer net, N hidden units)"),
    # Help
    ActionPart("action_shortcuts", "&Keyboard Shortcuts", (QKeySequence.HelpContents,),
               "List every keyboard shortcut"),
    ActionPart("action_gate_reference", "&Gate Reference", (),
               "What every gate computes and its local gradient"),
    ActionPart("action_about", "&About circuitgrad"),
)
ACTION_PARTS = {part.name: part for part in ACTIONS}

# (objectName, title, entries): an entry names an action, a dock's View toggle
# (``action_toggle_<dock>``), a submenu (SUBMENUS), SEPARATOR, or ("section", its title)
SUBMENUS = {"menu_recent": "Open &Recent", "menu_examples": "&Examples"}
MENUS = (
    ("menu_file", "&File", (
        "action_new", "action_open", "menu_recent", "menu_examples", SEPARATOR,
        "action_save", "action_save_as", SEPARATOR,
        "action_import_gates", "action_export_gates", SEPARATOR,
        "action_export_png", "action_export_svg", SEPARATOR, "action_quit")),
    ("menu_edit", "&Edit", (
        "action_undo", "action_redo", SEPARATOR,
        "action_cut", "action_copy", "action_paste", "action_duplicate", "action_delete",
        SEPARATOR, "action_select_all", SEPARATOR, "action_expand", SEPARATOR,
        "action_make_gate", "action_expand_gate")),
    ("menu_view", "&View", (
        "action_zoom_in", "action_zoom_out", "action_reset_zoom", "action_fit", SEPARATOR,
        "action_open_gate", "action_back_out", SEPARATOR,
        *(part.toggle_name for part in DOCKS), SEPARATOR, "action_reset_layout")),
    ("menu_gates", "&Gates", (
        "action_new_code_gate", "action_edit_code_gate", SEPARATOR, "action_trust_code")),
    ("menu_run", "&Run", (
        ("section", "Animate the passes"),
        "action_flow_play", "action_flow_pause", "action_flow_step", "action_flow_restart",
        "action_flow_finish", "action_flow_step_into", "action_flow_step_out", SEPARATOR,
        "action_check_gradients", SEPARATOR,
        "action_ascent_step", "action_ascent_run")),
    ("menu_train", "&Train", (
        "action_train", "action_train_step", "action_reset_params", SEPARATOR,
        "action_templates", SEPARATOR, "action_toggle_boundary_dock")),
    ("menu_help", "&Help", (
        "action_shortcuts", "action_gate_reference", SEPARATOR, "action_about")),
)



@dataclass(frozen=True)
class ToolBarPart:
    """One toolbar: objectName, title, its actions (and separators)."""

    name: str
    title: str
    entries: tuple
    movable: bool = True


# the flow toolbar's speed slider is added after its actions (gui.flow.toolbar)
TOOLBARS = (
    ToolBarPart("main_toolbar", "Main", ("action_new", "action_open", "action_save", SEPARATOR,
                                         "action_undo", "action_redo", SEPARATOR,
                                         "action_fit"), movable=False),
    ToolBarPart("flow_toolbar", "Flow", ("action_flow_play", "action_flow_pause",
                                         "action_flow_step", "action_flow_restart",
                                         "action_flow_finish", "action_flow_step_into",
                                         "action_flow_step_out")),
)


def actions_in_menu_order() -> list[ActionPart]:
    """Every declared action, in the order the menus show them, then any other, once each."""
    named = [entry for _name, _title, entries in MENUS for entry in entries
             if isinstance(entry, str) and entry in ACTION_PARTS]
    ordered = list(dict.fromkeys(named))
    return ([ACTION_PARTS[name] for name in ordered]
            + [part for part in ACTIONS if part.name not in ordered])


def shortcut_rows() -> list[tuple[str, str]]:
    """(action, its keys as the platform writes them) for every action that has keys, then
    the canvas's own keys."""
    return [(part.label, ", ".join(k.toString(QKeySequence.NativeText)
                                   for k in part.key_sequences()))
            for part in actions_in_menu_order() if part.keys] + canvas_key_rows()
