"""Protocol display and entry: the observation ring, quick entries and step dialogs."""
