"""The pages of a partner (company or knowledge institution) and of everyone's own work."""
