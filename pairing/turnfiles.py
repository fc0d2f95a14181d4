"""Where the fleet's TURN files live in the fleet folder (``fleet turn`` writes them,
the signaling server reads the secret and the pseudonym key)."""

from __future__ import annotations

TURN_DIR = "turn"
TURN_SECRET = "turn-secret"  # noqa: S105 (a file name, not a secret)
PSEUDONYM_KEY = "pseudonym-key"
TURN_CERT, TURN_KEY = "turn.pem", "turn-key.pem"
TURN_CONF, TURN_SETTINGS = "turnserver.conf", "turn.json"
