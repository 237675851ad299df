"""The room: seats, the participants on them, and their live vitals buffers."""
