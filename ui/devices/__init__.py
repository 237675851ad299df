"""Real and simulated seats in the window: the unassigned-monitors tray, seat drops, SIM marks."""
