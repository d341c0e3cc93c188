"""`sure-bench run`: run configurations, the learning-rate search, and training every (task, seed) cell."""
