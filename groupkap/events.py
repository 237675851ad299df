"""The catalogue of event kinds: every state change a clinic lead or QA could ask about.

Kinds are dotted `noun.past_verb`. Each kind is listed once here with what its `data` holds,
so the log stays readable years later and a typo fails loudly instead of logging a new kind.
Later features (alarms, protocol, music, circle) add their kinds to this table.
"""

from __future__ import annotations

EVENT_KINDS: dict[str, str] = {
    "session.started": "a session began: seats, scenario or source, clock speed",
    "session.ended": "a session was ended: reason (finished, closed after interruption)",
    "session.interrupted": "on restart, a session found open without its process",
    "session.resumed": "an interrupted session was taken up again",
    "participant.added": "a participant joined: alias, full name given or not, seat",
    "participant.renamed": "alias or full name changed: old and new alias",
    "participant.seated": "a participant moved to another seat: old and new seat",
    "participant.removed": "a participant left the room: seat, reason",
    "alarm.raised": "an alarm began, or rose to a higher priority: alarm_id, seat, key, "
    "priority, text, value, limit, technical; from_priority when it rose; "
    "broke_through_pause when it ended an audio pause",
    "alarm.acknowledged": "someone acknowledged an alarm (its sound stops; it stays shown)",
    "alarm.audio_paused": "alarm sound paused: scope room or participant, duration_s, "
    "until_t, the alarms it silenced",
    "alarm.reset": "someone took down a latched alarm whose condition had gone",
    "alarm.cleared": "an alarm's condition ended; latched=true when a high alarm stays shown",
    "alarm.escalated": "unacknowledged too long: from_priority, priority, louder",
    "alarm.reminded": "reminder for an acknowledged condition that persists",
    "alarm.sound_tested": "start-up self-test of the facilitators' alarm sound: heard "
    "per priority (low, medium, high), ok, problem (why no one "
    "could hear it: dummy output, no device, null sink), device; when the session ended "
    "first (its end never waits): ok false, unfinished true, no per-priority verdict",
    "alarm.sound_failed": "an alarm burst could not be played during the session (device "
    "lost): problem; the room shows the alarm-sound banner",
    "limits.applied": "the alarm limits in force when a session started: source, limits, off",
    "limits.changed": "alarm limits changed: param, old, new, scope clinic or participant, "
    "source file",
    "screening.completed": "contraindication screening: outcome eligible / needs review / "
    "ineligible, reviewer, positive answers (or an approval of a review)",
    "readiness.confirmed": "the ready gate before dosing: consent, fasting, ride home, "
    "intention, touch consent, music choice",
    "dose.given": "route, dose_mg, weight_kg, mg_per_kg, lot, given_by, t0, confirmed range "
    "warnings, prescriber override, pre-dose BP",
    "check.recorded": "a check: BP (label, sbp, dbp, source monitor or hand, t_measured, "
    "due_t, entry_id), MOAA/S or CADSS (value, entry_id, t_measured, "
    "taken_by, corrects and reason for a correction)",
    "check.overdue": "a due check is late: check, label, minutes_late",
    "check.missed": "a due check's window closed without a reading: check, label",
    "observation.entered": "values a person measured and typed in (BP, HR, SpO2, RR, TEMP): "
    "entry_id, values, t_measured, taken_by, source hand, corrects "
    "(the entry it replaces) and reason for a correction",
    "entry.struck": "a hand entry or a MOAA/S / CADSS struck out: entry_id, reason; it no "
    "longer counts on the tile, in the alarms or in the record",
    "dissociation.attested": "a clinician attests that dissociation has resolved: "
    "attested_by, reason",
    "adverse_event.recorded": "event_id, description, severity, intervention, outcome, "
    "t_occurred; open until resolved",
    "adverse_event.resolved": "an open adverse event ended: event_id, outcome, t_resolved, "
    "description (copied from the event, for reading)",
    "scale.scored": "an outcome scale between sessions: scale, answers, total, band, flags "
    "(PHQ-9 item 9 positive is a hard flag), cutoff",
    "person.registered": "someone known across sessions (courses log): person_id, alias, "
    "birth_year, full_name (or none)",
    "person.merged": "a duplicate person folded into the kept one (courses log): person_id "
    "(the duplicate), into (the kept id), reason; the duplicate's sessions count for the kept",
    "course.planned": "a person's course (courses log): person_id, sessions_planned, "
    "booster_due (YYYY-MM-DD or none), note",
    "plan.adjusted": "the team's changes for a person's next session (courses log): person_id, "
    "after_session (or none), adjustments (kind, text, pieces), source proposal or team; "
    "a dose note is for the prescriber, never applied to a dose",
    "feedback.recorded": "a participant's feedback after a session: person_id, liking, "
    "resonance, openness (0-10 or none), music_distracting, silence_preferred, avoid_pieces, "
    "anxiety, physical, helped, free_text (care team only), filled_by, corrects (seq of the "
    "earlier feedback it replaces); the latest counts",
    "note.added": "a free note, care team only: text; with accounts signed by its author, "
    "and cosign needed when the author is not a clinic lead",
    "discharge.ready": "every clinical discharge criterion first met (the minimum observation "
    "time left out): ready_to_leave_minute",
    "discharge.ready_withdrawn": "a clinical discharge criterion stopped holding after "
    "discharge.ready (a lower MOAA/S, a higher CADSS or BP): "
    "open criteria; the next discharge.ready starts a new stretch",
    "discharge.signed": "signed_by, meaning, minutes since T0, ready-to-leave minute, items",
    "esketamine_record.signed": "the esketamine monitoring record (REMS Patient Monitoring "
    "Form) signed, only when complete: signed_by, meaning "
    "(author, review, approval), alias, record_sha256; with accounts also "
    "the signature's fields (name, role, signed_at, method, subject)",
    "signature.applied": "an account signed an event, re-entering its PIN (21 CFR 11.50): "
    "name, role, signed_at (UTC), meaning (author, review, approval), method "
    "(PIN, or demo for the demo's user), subject (kind, seq and hash of the "
    "signed event)",
    "music.track_started": "a piece began on a seat: seat, piece, path, phase, duration_s",
    "music.track_ended": "a piece ended (or was skipped): seat, piece, reason, phase",
    "music.volume_changed": "seat volume changed: old, new, cap, who",
    "music.ducked": "ducked (on) or restored (off) while someone talked to the participant; "
    "a `reason` when it restored by itself",
    "music.skipped": "a piece skipped by a facilitator, or because it could not be played",
    "music.silenced": "a seat faded to silence (or all quiet for the room); reason "
    "`discharged` when discharge ended its music, `their plan` (with a detail) when the "
    "participant's carried plan keeps the seat silent",
    "music.device_lost": "a seat's output device disappeared: the seat goes silent",
    "music.list_refused": "a saved playlist could not be read and was left out: playlist, path, "
    "reason (every other list and seat plays on)",
    "music.piece_left_out": "a piece in a saved playlist was left out: playlist, entry, reason "
    "(missing, unreadable, truncated; `their plan` for a piece on the participant's avoid list)",
    "circle.started": "a sharing circle began: speakers (count), order, start_seat, seed "
    "when shuffled, total_s, opening_s, closing_s, rounds, prompts, "
    "prewarning_s, fair_share_s",
    "circle.turn_started": "a speaker took the talking piece: seat, round, fair_share_s, "
    "second_chance, prompt",
    "circle.turn_ended": "a turn ended (timing only, never what was said): round, duration_s, "
    "overtime_s, fair_share_s, extended_s, early",
    "circle.passed": "a speaker passed: round, duration_s, done_for_round (a second pass)",
    "circle.paused": "the guardian bell stopped every circle clock: phase, reason if given",
    "circle.resumed": "the circle went on after a pause: paused_s",
    "circle.extended": "the current turn got more time: round, added_s, extended_s, allowance_s",
    "circle.note_added": "a facilitator note on a turn or the circle: text, care_team_only "
    "(always true), round, phase",
    "circle.ended": "the circle ended: reason (completed, time up, ended early), elapsed_s, "
    "opening_s, turns_s, closing_s, rounds_begun, paused_s, pauses, fairness "
    "(per person spoken_s, share, turns, passes, skips, overtime_s; gini)",
    "device.assigned": "a device put on a seat: seat and role; an audio output (role "
    "headphones or room), or a bedside monitor (role monitor: device id, from_seat, "
    "restored when the room's map was taken up at the start)",
    "device.unassigned": "a bedside monitor taken off its seat (device, seat, role monitor): "
    "its readings go on being recorded under its device id",
    "device.seen": "a bedside monitor's first message in the session: device, peer address, "
    "seat it is assigned to (None: it waits in the unassigned tray)",
    "device.clock_drift": "a monitor's clock is more than limit_s from ours (message time "
    "against receive time): device, offset_s (added to its times until it agrees again)",
    "device.clock_drift_ended": "a drifting monitor's clock agrees with ours again: device, "
    "offset_s",
    "vitals.sealed": "a digest of one table's rows (vitals or waveforms) of the session, "
    "committed since the last seal: table, first_rowid, last_rowid, rows, "
    "digest; verify recomputes it",
    "source.lost": "a seat's vitals source stopped sending",
    "source.restored": "a seat's vitals source sent again",
    "user.added": "an account was created: user_id, name, role, by (the admin; none for the "
    "first admin), pin_digest (sha256 of the stored argon2 hash, never the PIN)",
    "user.disabled": "an account can no longer sign in or act: user_id, name, by, reason",
    "user.signed_in": "an account signed in with its PIN: user_id, name, role, purpose "
    "(sign-in, unlock, signature, admin, PIN change)",
    "user.sign_in_failed": "a sign-in was refused: name, user_id (none for an unknown name), "
    "why (wrong PIN, unknown name, disabled, waiting), failures in a row, "
    "locked_until (UTC epoch s, none when it may try again at once)",
    "user.locked_out": "wrong PINs in a row made an account wait: user_id, name, failures, "
    "wait_s, locked_until; flagged for the lead",
    "user.unlocked": "an admin lifted an account's wrong-PIN wait early: user_id, name, by "
    "(the admin), reason, failures and locked_until (what was lifted); the count starts at 0",
    "user.pin_changed": "an account got a new PIN: user_id, name, by (the admin, or the "
    "person themselves), reason, pin_digest (sha256 of the new argon2 hash, never the PIN); "
    "wrong PINs counted against the old PIN are forgotten",
    "action.refused": "a signed-in account tried an act its role does not allow: action, "
    "role, reason (the sentence it was shown)",
    "session.locked": "the window locked (alarms stay visible and can be acknowledged): "
    "reason (idle, by hand), who was signed in",
    "session.unlocked": "the window was unlocked with a PIN: who, role, switched_from when "
    "another account unlocked it",
    "access.emergency": "break-glass access without a PIN: reason (required), claimed_by "
    "(the name the person gave); flagged for the lead",
}


def check_kind(kind: str) -> str:
    """Return `kind` if it is in the catalogue, else raise with the known kinds."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {kind!r}; add it to groupkap.events.EVENT_KINDS")
    return kind
