"""Differential tests: relbot against semantic-release on generated git histories."""
