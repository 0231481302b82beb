"""Channel plug-ins: each receives, parses, sends, is configured and tested its own way
and hands appeals to the one registration service (ARCHITECTURE.md)."""
