"""Throwaway measurements kept so that their numbers in docs/benchmarks.md can be reproduced."""
