"""SkillSwap reminders function (the scheduled dispatcher lands with the reminders issue)."""
