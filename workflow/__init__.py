"""Cases, the engine that applies transitions atomically, and persistence."""
