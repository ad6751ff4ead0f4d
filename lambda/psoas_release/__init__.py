"""Psoas Release: a voice-only Alexa skill that coaches a guided mobility routine hands-free."""
