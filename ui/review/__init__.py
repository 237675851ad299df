"""Review of past sessions for clinic leads: browser, review window, replay and PDF exports."""
