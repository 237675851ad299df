"""Audio: libVLC set-up and output devices, shared by the alarm bursts, the seats and the chime."""
