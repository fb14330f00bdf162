"""Text normalization before detection, with offsets mapped back to the caller's text."""
