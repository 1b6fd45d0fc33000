"""Annual borging reviews (jaarlijkse borgingsreview) and the participation radar."""
