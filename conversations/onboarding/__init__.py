"""Onboarding: the invite link, consent before anything is stored, the child and the carer."""
