"""Reading a past session for a clinic lead: its summary, its series, its exports.

Everything here reads the log read-only (`groupkap.store.queries` over `open_read_only`) and
holds no Qt: the review window, the PDF report, `groupkap export` and the replay draw or
write what these plain values say, so the figures in every view and file are the same.
"""
