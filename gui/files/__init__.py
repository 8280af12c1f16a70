"""Files and settings: open, save, export, autosave and recovery, remembered layout and recent
files.
"""
