"""Calls: the runtime that routes them and the API that reports them."""
