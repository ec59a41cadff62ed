"""Test-wide settings."""

import os

# PTB 22 warns when it builds a RetryAfter unless this opt-in is set; with warnings as errors
# every 429 would surface as that warning instead of RetryAfter.
os.environ.setdefault("PTB_TIMEDELTA", "1")

# Compile every language's lexicons once for the whole session (the bot does it in a
# background thread at start-up; tests should not race it on their first message).
from bot.app import warm_up

warm_up()
