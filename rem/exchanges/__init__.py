"""Learning exchanges (leeruitwisselingen) between hubs and collaborations."""
