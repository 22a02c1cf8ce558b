"""What every feature stands on: the audit, errors, scope, stored work (due), users, tokens, units, metrics."""
