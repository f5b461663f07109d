"""Who acts and what they may see: actors, tokens, organisations, scoping and the access policy."""
