"""Plumbing shared by every SkillSwap function: settings, db, auth, errors, observability. No business rules."""
