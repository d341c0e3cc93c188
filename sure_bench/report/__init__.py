"""The leaderboard: a pure function of result files (no torch)."""
