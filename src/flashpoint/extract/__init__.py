"""From a parsed document to event mentions: triggers, typing, roles, actors, attribution, casualties, dates."""
