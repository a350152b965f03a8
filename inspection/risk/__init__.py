"""Enterprise risk grades, repeat hazards, warnings and risk-based inspection frequency."""
