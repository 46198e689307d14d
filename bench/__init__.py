"""The benchmark suite of issue 6: the service's figures as ratios to floors from the same run."""
