"""Widgets the student and classroom windows share (they never import each other)."""
