"""The case pages: the board, one case with its sections and timeline, managing it, assessing."""
