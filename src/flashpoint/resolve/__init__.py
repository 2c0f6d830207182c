"""From event mentions to events: one event per happening, and its notes."""
