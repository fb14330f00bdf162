"""What serves every detector: the micro-batcher that runs one model's work for many
requests at once, and the memo that lets rules sharing a model reuse its work."""
