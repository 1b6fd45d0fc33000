"""The learning log (leerlogboek): reflections, lessons, questions, decisions and actions."""
