"""Business steps of accounts: one-time codes, registration, recovery, profile, consent."""
