"""Turning a retrieval result into a cited answer: the core types (`Answer`, `Source`), labels and messages,
aspect and follow-up detection, the extractive composer, and the generators (extractive, or an LLM whose
every sentence is checked against its sources by `grounding`)."""
