"""Instructor tools: the quiz-set builder and the cohort results view."""
