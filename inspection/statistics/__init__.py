"""Supervision statistics: summary tallies kept with the hazards, the figures, the charts."""
