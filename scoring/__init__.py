"""Pure scoring: phrases, facts, timing, rubric -> scorecard. No I/O, no clock."""
