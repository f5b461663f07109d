"""Cases and their phase data: writing, listing and searching, the facts the guards read."""
