"""Pure rules of the domain: no Flask, no database, testable with plain values."""
