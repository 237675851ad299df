"""Who is at the workstation: sign-in, the idle lock, quick user switch and emergency access."""
