"""The room grid: one tile per seat, drawn from the core's buffers at a fixed frame rate."""
