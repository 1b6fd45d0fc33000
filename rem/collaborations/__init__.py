"""Collaborations (samenwerkingsverbanden) of citizens, professionals and researchers."""
