"""Codebooks and codes: borging strategies, working elements and the user's own."""
