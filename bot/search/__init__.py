"""Finding the procedure a question is about: language detection, query parsing
and guardrails, diacritic restoration, the BM25 keyword index, embedders, the vector store, the compiled
catalog, and hybrid retrieval that fuses them."""
