"""The ``pii`` detector: Presidio and spaCy, plus guard's own recognizers, one per file.

- ``detector``: the detector itself (Presidio's analyzer, spaCy batched, the findings);
- ``address``, ``gazetteer``, ``rules``, ``cards``: what guard finds that Presidio does not
  (postal addresses, country and state names, phones, organisations, names by cue, dates,
  card numbers of every issuer in any form);
- ``context``: when a place, company, date or name is personal data (``context:``).
"""

from __future__ import annotations

from guard.detectors.pii.detector import (
    PiiConfig,
    PiiDetector,
    plain_presidio_analyzer,
    shared_analyzer,
)

__all__ = ["PiiConfig", "PiiDetector", "plain_presidio_analyzer", "shared_analyzer"]
