"""Qt item models over the engine's records: plain lists of frozen values, mutated on the GUI thread."""
