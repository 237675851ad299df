"""Alarm display: tile signals, the alarm bar, icons, and the facilitators' alarm sound."""
