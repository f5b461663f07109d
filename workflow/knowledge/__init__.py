"""The knowledge library: what finished pilots taught, for every municipality (issue 17)."""
