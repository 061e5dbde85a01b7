"""One module per ``escalation-agent`` subcommand."""
