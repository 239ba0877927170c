"""SkillSwap bookings function."""
