"""Ripple maps: building the graph of a collaboration and rendering it with Graphviz."""
