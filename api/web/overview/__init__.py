""" "Mit overblik": what needs the signed-in person now, and the counts in the navigation."""
