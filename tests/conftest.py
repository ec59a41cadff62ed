"""Test-wide settings."""

import os

# PTB 22 warns when it builds a RetryAfter unless this opt-in is set; with warnings as errors
# every 429 would surface as that warning instead of RetryAfter.
os.environ.setdefault("PTB_TIMEDELTA", "1")
