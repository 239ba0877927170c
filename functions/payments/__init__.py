"""SkillSwap payments function: memberships, premium content, payouts and earnings."""
