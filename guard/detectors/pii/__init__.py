"""The ``pii`` detector: Presidio and spaCy, plus guard's own recognizers, one per file.

- ``detector``: the detector itself (Presidio's analyzer, spaCy batched, the findings);
- ``recognizer``: ``GuardRecognizer``, the Presidio recognizer each of guard's is;
- one module per concept guard finds that Presidio does not, each with its patterns and
  context words as data, its finder and its recognizer: ``address`` (postal addresses),
  ``gazetteer`` (country and state names), ``phones`` (local and international formats),
  ``organizations`` (legal forms), ``dates`` (dates with times), ``cues`` (names, places and
  employers after a cue), ``cards`` (card numbers of every issuer in any form, spelled out,
  split across messages), ``obfuscated`` (SSNs without dashes or spelled out, spelled-out
  emails);
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
