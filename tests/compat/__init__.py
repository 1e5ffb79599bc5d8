"""Tests of the drop-in compatible APIs."""
