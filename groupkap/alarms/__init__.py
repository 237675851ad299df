"""Alarms: the engine that watches each seat, and the sounds the facilitators hear."""
