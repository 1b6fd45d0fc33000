"""The help page: the method and the words, in plain language."""
