"""Story threads: a path through a ripple map told as a short dated narrative."""
