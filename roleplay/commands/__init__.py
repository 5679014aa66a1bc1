"""The `roleplay` command's subcommands, one module per group; cli.py builds the parser."""
