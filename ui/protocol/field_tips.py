"""What each protocol form field is for, where its label alone does not say it.

Shown as the field's and its label's tooltip (`ui.dialogs.form_dialog`), keyed by the label
the clinician reads; a label with no entry here says it all.
"""

FIELD_TIPS = {
    "Taken by": "Who measured it; recorded with the value",
    "Measured: minutes ago": "How long ago it was measured; 0 = just now",
    "CADSS total (0–92)": "The CADSS total you counted from the answers",
    "Entry": "The hand reading, MOAA/S or CADSS to correct or strike, newest first",
    "Action": "strike: the entry no longer counts; correct: replace it by the values below",
    "Corrected value(s)": "For a correction: the new score, or NAME=value, e.g. SBP=142 DBP=88",
    "Reason": "Why, in a few words; kept in the session record",
    "By": "Who makes the correction",
    "What was seen": "What shows the dissociation has resolved, e.g. oriented, talking clearly",
    "Intervention": "What was done about it (or none)",
    "Adverse event": "The open adverse event this resolves",
    "Resolved: minutes ago": "How long ago it resolved; 0 = now",
    "Note (care team only)": "Kept in the record; never shown on the room grid",
    "Reviewer": "The clinician who reviewed the answers",
    "Needs review": "The screening answers that need a clinician's approval",
    "consent is current": "The signed consent covers today's session",
    "fasting confirmed": "The participant has fasted as the protocol asks",
    "intention recorded": "The participant's intention for today, in a few words",
    "supportive touch: yes or no": "Whether the participant agrees to supportive touch today",
    "music choice or silence": "The playlist for their headphones, or silence",
    "Route": "How the dose is given; the usual range depends on it",
    "Weight (kg, 0 = not known)": "Used to check the dose per kg when it is known",
    "Lot number": "The lot number on the vial or device",
    "Given by": "Who gave the dose; empty = you",
    "T0: minutes ago": "How long ago the dose was given; 0 = now. Every timed check counts from T0",
    "Confirm a dose outside the usual range": (
        "Tick only when the prescriber has confirmed a dose outside the usual range"
    ),
    "Override BP gate: prescriber": (
        "Only when the pre-dose BP is above the gate: the prescriber who allows the dose"
    ),
    "Override reason": "Why the prescriber allows the dose with the BP above the gate",
    "alert and oriented": "Knows where they are, the day and who is with them",
    "steady gait": "Walks steadily without help",
    "escort present": "The person taking them home is here",
    "instructions given": "The after-care instructions were given and understood",
    "no driving acknowledged": "They agree not to drive until the next day",
    "SpO2": "The newest SpO2 the discharge rests on, with its source and age",
    "Signed by": "The clinician who signs the discharge",
    "Scale": "The outcome scale, then one answer per item",
}
