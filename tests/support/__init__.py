"""Helpers the tests share (not tests themselves): servers, builds, XPath."""
