"""Music: each participant's own playlist on their own headphones."""
