"""Deadline rows as the pages show them and the acknowledge page behind every reminder mail."""
