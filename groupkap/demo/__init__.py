"""The demo: who sits where, the team that walks the protocol, the closing circle, and the
synthesised music library (generated into the cache folder, never the source tree)."""
