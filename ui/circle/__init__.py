"""The sharing circle view for a second screen or projector, and its controls."""
