"""``guard eval``: detection quality on labeled JSONL, through the same code as live traffic."""
