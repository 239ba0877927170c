"""SkillSwap webhooks function."""
