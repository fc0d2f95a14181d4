"""`klasgenoot demo`: a fleet, a pairing and a live call, all on this machine."""
