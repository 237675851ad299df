"""One person across sessions: their course page, the people list, feedback and the carried plan."""
