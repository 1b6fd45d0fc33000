"""Ripple analysis: counts, influence, story threads and the map through time."""
