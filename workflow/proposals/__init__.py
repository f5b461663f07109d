"""Proposals, assessments, decisions and signatures: what the match and agreement guards read."""
