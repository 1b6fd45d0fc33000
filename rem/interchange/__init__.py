"""Research interchange: exports, imports, backups and the read-only API.

Everything here depends on the domain packages (ripples, codes, collaborations,
accounts), never the other way round.
"""
