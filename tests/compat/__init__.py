"""Conformance tests of the compatible APIs."""
