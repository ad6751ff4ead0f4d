"""Benchmarks for "Hear it before Alexa does": ratios against a bare ask-sdk-core skill.

Every number is measured in the same run as its baseline, so a slow or busy machine moves both
sides alike. Run `python -m benchmarks` (see benchmarks/README.md); it reports, never asserts.
"""
