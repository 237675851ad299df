"""The session protocol: each participant's path from screening to discharge."""
