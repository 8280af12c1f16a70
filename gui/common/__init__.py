"""What every room of the GUI shares: the theme (colours, fonts) and small widgets."""
