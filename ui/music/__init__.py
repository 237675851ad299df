"""Music set-up: each seat's headphones, test tones and volume."""
