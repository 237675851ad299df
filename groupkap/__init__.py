"""GroupKAP: a room display and session log for group ketamine-assisted psychotherapy.

The core package holds every rule and all state; it never imports Qt, so it runs and is
tested headless. The `ui` package draws what the core holds.
"""

__version__ = "0.1.0"

ADJUNCT_NOTICE = (
    "GroupKAP is an adjunct display, not a medical device. The bedside monitors remain "
    "the primary alarm source."
)
