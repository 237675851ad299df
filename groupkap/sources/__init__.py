"""Vitals sources: they turn the outside world into Readings."""
