"""Between sessions: home-singing ideas on the parent's schedule, pause, resume and stop."""
