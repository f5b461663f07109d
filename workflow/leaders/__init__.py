"""The leaders' overview ("Overblik for ledere"): pipeline figures computed in SQL."""
