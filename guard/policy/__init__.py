"""Policies: what to check in prompts and answers, and the decisions that follow."""
