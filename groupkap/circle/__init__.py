"""The sharing circle: a fair, gentle timer for integration."""
