"""SkillSwap matching function."""
