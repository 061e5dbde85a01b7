"""The running agent: read tickets, plan, carry out the plan exactly once, remember."""
