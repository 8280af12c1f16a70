"""The menus that tools share (Run, Train): found by objectName, made before Help if missing.

Each tool installs itself into the main window and adds its actions to one of these menus, so
several tools can fill one menu without knowing about each other.
"""

from PySide6.QtWidgets import QMenu


def tool_menu(window, object_name: str, title: str) -> QMenu:
    """The window's menu called ``object_name``, made (titled ``title``) before Help if missing."""
    bar = window.menuBar()
    menu = bar.findChild(QMenu, object_name)
    if menu is not None:
        return menu
    menu = QMenu(title, bar)
    menu.setObjectName(object_name)
    help_menu = bar.findChild(QMenu, "menu_help")
    if help_menu is not None:
        bar.insertMenu(help_menu.menuAction(), menu)
    else:
        bar.addMenu(menu)
    return menu


def run_menu(window) -> QMenu:
    """The Run menu: passes, gradient ascent, gradient checks."""
    return tool_menu(window, "menu_run", "&Run")
